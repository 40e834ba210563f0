#!/usr/bin/env python3
"""Independent decoder and PyTorch oracle for torch-ts's TensorBoard event files (run as /usr/bin/python3).

Nothing here is shared with the TypeScript implementation: the protos are built from hand-written
descriptors (descriptor_pb2 + message_factory, field numbers of tensorflow/tensorboard's .proto files),
CRC-32C is computed bit by bit, PNGs are decoded with zlib by hand.

Modes (JSON on stdout; floats that JSON cannot hold are written as "nan", "inf", "-inf"):
  probe                        which of google.protobuf / PIL / tensorboard / torch are importable
  selftest                     crc32c("123456789") and the reference records, serialized by these descriptors
  decode FILE...               every record of each event file: CRCs verified, events as JSON
  summaries SPEC.json          PyTorch's own summary.py functions run on the ops in SPEC (see run_summary_op)
  writer SPEC.json LOGDIR      PyTorch's own SummaryWriter (writer.py) runs the ops in SPEC into LOGDIR
  pytorch-graph MODEL.py LOGDIR  PyTorch's add_graph of the `model` and `inputs` that MODEL.py defines
  tb-load LOGDIR               TensorBoard's EventAccumulator on LOGDIR (needs the real tensorboard package)

`summaries` and `writer` load torch/utils/tensorboard from the installed PyTorch. When the `tensorboard`
package is missing (Debian ships none), its proto modules are provided by the descriptors below and its
EventFileWriter by a small stand-in that follows tensorboard's event_file_writer.py; the output says which.
"""
import importlib
import json
import math
import os
import socket
import struct
import sys
import time
import types
import zlib


def fail(msg, code=3):
    print(json.dumps({"error": msg}))
    sys.exit(code)


try:
    from google.protobuf import descriptor_pb2, descriptor_pool, message_factory, struct_pb2
    from google.protobuf.internal.enum_type_wrapper import EnumTypeWrapper
    from google.protobuf import json_format
except ImportError as e:  # pragma: no cover - reported to the test
    if len(sys.argv) > 1 and sys.argv[1] == "probe":
        print(json.dumps({"protobuf": False, "protobuf_error": str(e)}))
        sys.exit(0)
    fail("google.protobuf is not installed for %s (%s): apt-get install -y python3-protobuf" % (sys.executable, e))


# ---- CRC-32C ---------------------------------------------------------------------------------------------

def crc32c(data):
    crc = 0xFFFFFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


def masked_crc32c(data):
    x = crc32c(data)
    return (((x >> 15) | (x << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def frame(data):
    header = struct.pack("<Q", len(data))
    return header + struct.pack("<I", masked_crc32c(header)) + data + struct.pack("<I", masked_crc32c(data))


# ---- descriptors -----------------------------------------------------------------------------------------

F = descriptor_pb2.FieldDescriptorProto
T = {"double": F.TYPE_DOUBLE, "float": F.TYPE_FLOAT, "int64": F.TYPE_INT64, "int32": F.TYPE_INT32,
     "uint32": F.TYPE_UINT32, "uint64": F.TYPE_UINT64, "bool": F.TYPE_BOOL, "string": F.TYPE_STRING,
     "bytes": F.TYPE_BYTES}


def add_message(container, name, fields, oneofs=(), nested=(), enums=(), map_entry=False):
    m = container.add(name=name)
    if map_entry:
        m.options.map_entry = True
    for o in oneofs:
        m.oneof_decl.add(name=o)
    for spec in fields:
        name_, number, type_ = spec[:3]
        opts = spec[3] if len(spec) > 3 else {}
        f = m.field.add(name=name_, number=number)
        f.label = F.LABEL_REPEATED if opts.get("repeated") else F.LABEL_OPTIONAL
        if type_ in T:
            f.type = T[type_]
        elif opts.get("enum"):
            f.type = F.TYPE_ENUM
            f.type_name = type_
        else:
            f.type = F.TYPE_MESSAGE
            f.type_name = type_
        if "oneof" in opts:
            f.oneof_index = list(oneofs).index(opts["oneof"])
    for n in nested:
        n(m.nested_type)
    for ename, values in enums:
        e = m.enum_type.add(name=ename)
        for k, v in values:
            e.value.add(name=k, number=v)
    return m


def add_enum(fd, name, values):
    e = fd.enum_type.add(name=name)
    for k, v in values:
        e.value.add(name=k, number=v)


def build_pool():
    pool = descriptor_pool.Default()
    try:
        pool.FindMessageTypeByName("tensorboard.Event")
        return pool  # already registered (second call)
    except KeyError:
        pass
    R = {"repeated": True}

    fd = descriptor_pb2.FileDescriptorProto(name="torch_ts_test/tensorboard.proto", package="tensorboard", syntax="proto3")
    add_enum(fd, "DataType", [("DT_INVALID", 0), ("DT_FLOAT", 1), ("DT_DOUBLE", 2), ("DT_INT32", 3), ("DT_UINT8", 4),
                              ("DT_INT16", 5), ("DT_INT8", 6), ("DT_STRING", 7), ("DT_COMPLEX64", 8), ("DT_INT64", 9),
                              ("DT_BOOL", 10), ("DT_UINT16", 17), ("DT_COMPLEX128", 18), ("DT_HALF", 19),
                              ("DT_UINT32", 22), ("DT_UINT64", 23)])
    add_enum(fd, "DataClass", [("DATA_CLASS_UNKNOWN", 0), ("DATA_CLASS_SCALAR", 1), ("DATA_CLASS_TENSOR", 2),
                               ("DATA_CLASS_BLOB_SEQUENCE", 3)])
    add_message(fd.message_type, "TensorShapeProto", [("dim", 2, ".tensorboard.TensorShapeProto.Dim", R), ("unknown_rank", 3, "bool")],
                nested=[lambda c: add_message(c, "Dim", [("size", 1, "int64"), ("name", 2, "string")])])
    add_message(fd.message_type, "TensorProto", [
        ("dtype", 1, ".tensorboard.DataType", {"enum": True}), ("tensor_shape", 2, ".tensorboard.TensorShapeProto"),
        ("version_number", 3, "int32"), ("tensor_content", 4, "bytes"), ("half_val", 13, "int32", R),
        ("float_val", 5, "float", R), ("double_val", 6, "double", R), ("int_val", 7, "int32", R),
        ("string_val", 8, "bytes", R), ("scomplex_val", 9, "float", R), ("int64_val", 10, "int64", R),
        ("bool_val", 11, "bool", R), ("dcomplex_val", 12, "double", R), ("uint32_val", 16, "uint32", R),
        ("uint64_val", 17, "uint64", R)])
    add_message(fd.message_type, "HistogramProto", [
        ("min", 1, "double"), ("max", 2, "double"), ("num", 3, "double"), ("sum", 4, "double"),
        ("sum_squares", 5, "double"), ("bucket_limit", 6, "double", R), ("bucket", 7, "double", R)])
    add_message(fd.message_type, "SummaryMetadata", [
        ("plugin_data", 1, ".tensorboard.SummaryMetadata.PluginData"), ("display_name", 2, "string"),
        ("summary_description", 3, "string"), ("data_class", 4, ".tensorboard.DataClass", {"enum": True})],
        nested=[lambda c: add_message(c, "PluginData", [("plugin_name", 1, "string"), ("content", 2, "bytes")])])
    oneof = {"oneof": "value"}
    add_message(fd.message_type, "Summary", [("value", 1, ".tensorboard.Summary.Value", R)], nested=[
        lambda c: add_message(c, "Image", [("height", 1, "int32"), ("width", 2, "int32"), ("colorspace", 3, "int32"),
                                           ("encoded_image_string", 4, "bytes")]),
        lambda c: add_message(c, "Audio", [("sample_rate", 1, "float"), ("num_channels", 2, "int64"),
                                           ("length_frames", 3, "int64"), ("encoded_audio_string", 4, "bytes"),
                                           ("content_type", 5, "string")]),
        lambda c: add_message(c, "Value", [
            ("node_name", 7, "string"), ("tag", 1, "string"), ("metadata", 9, ".tensorboard.SummaryMetadata"),
            ("simple_value", 2, "float", oneof), ("obsolete_old_style_histogram", 3, "bytes", oneof),
            ("image", 4, ".tensorboard.Summary.Image", oneof), ("histo", 5, ".tensorboard.HistogramProto", oneof),
            ("audio", 6, ".tensorboard.Summary.Audio", oneof), ("tensor", 8, ".tensorboard.TensorProto", oneof)],
            oneofs=["value"])])
    add_message(fd.message_type, "LogMessage", [("level", 1, "int32"), ("message", 2, "string")])
    add_message(fd.message_type, "SessionLog", [
        ("status", 1, ".tensorboard.SessionLog.SessionStatus", {"enum": True}), ("checkpoint_path", 2, "string"),
        ("msg", 3, "string")],
        enums=[("SessionStatus", [("STATUS_UNSPECIFIED", 0), ("START", 1), ("STOP", 2), ("CHECKPOINT", 3)])])
    add_message(fd.message_type, "TaggedRunMetadata", [("tag", 1, "string"), ("run_metadata", 2, "bytes")])
    add_message(fd.message_type, "SourceMetadata", [("writer", 1, "string")])
    what = {"oneof": "what"}
    add_message(fd.message_type, "Event", [
        ("wall_time", 1, "double"), ("step", 2, "int64"), ("file_version", 3, "string", what),
        ("graph_def", 4, "bytes", what), ("summary", 5, ".tensorboard.Summary", what),
        ("log_message", 6, ".tensorboard.LogMessage", what), ("session_log", 7, ".tensorboard.SessionLog", what),
        ("tagged_run_metadata", 8, ".tensorboard.TaggedRunMetadata", what), ("meta_graph_def", 9, "bytes", what),
        ("source_metadata", 10, ".tensorboard.SourceMetadata")], oneofs=["what"])
    # Graphs (attr_value.proto, node_def.proto, versions.proto, graph.proto, step_stats.proto, config.proto).
    add_message(fd.message_type, "AttrValue", [
        ("list", 1, ".tensorboard.AttrValue.ListValue", {"oneof": "value"}), ("s", 2, "bytes", {"oneof": "value"}),
        ("i", 3, "int64", {"oneof": "value"}), ("f", 4, "float", {"oneof": "value"}), ("b", 5, "bool", {"oneof": "value"}),
        ("type", 6, ".tensorboard.DataType", {"oneof": "value", "enum": True}),
        ("shape", 7, ".tensorboard.TensorShapeProto", {"oneof": "value"}),
        ("tensor", 8, ".tensorboard.TensorProto", {"oneof": "value"}), ("placeholder", 9, "string", {"oneof": "value"})],
        oneofs=["value"], nested=[lambda c: add_message(c, "ListValue", [
            ("s", 2, "bytes", R), ("i", 3, "int64", R), ("f", 4, "float", R), ("b", 5, "bool", R),
            ("type", 6, ".tensorboard.DataType", {"repeated": True, "enum": True}),
            ("shape", 7, ".tensorboard.TensorShapeProto", R), ("tensor", 8, ".tensorboard.TensorProto", R)])])
    add_message(fd.message_type, "NodeDef", [
        ("name", 1, "string"), ("op", 2, "string"), ("input", 3, "string", R), ("device", 4, "string"),
        ("attr", 5, ".tensorboard.NodeDef.AttrEntry", R)],
        nested=[lambda c: add_message(c, "AttrEntry", [("key", 1, "string"), ("value", 2, ".tensorboard.AttrValue")],
                                      map_entry=True)])
    add_message(fd.message_type, "VersionDef", [("producer", 1, "int32"), ("min_consumer", 2, "int32"),
                                                ("bad_consumers", 3, "int32", R)])
    add_message(fd.message_type, "GraphDef", [("node", 1, ".tensorboard.NodeDef", R), ("version", 3, "int32"),
                                              ("versions", 4, ".tensorboard.VersionDef")])
    add_message(fd.message_type, "DeviceStepStats", [("device", 1, "string")])
    add_message(fd.message_type, "StepStats", [("dev_stats", 1, ".tensorboard.DeviceStepStats", R)])
    add_message(fd.message_type, "RunMetadata", [("step_stats", 1, ".tensorboard.StepStats")])
    add_message(fd.message_type, "TextPluginData", [("version", 1, "int32")])
    add_message(fd.message_type, "PrCurvePluginData", [("version", 1, "int32"), ("num_thresholds", 2, "uint32")])
    pool.Add(fd)

    hp = descriptor_pb2.FileDescriptorProto(name="torch_ts_test/hparams.proto", package="tensorboard.hparams",
                                            syntax="proto3", dependency=["google/protobuf/struct.proto"])
    add_enum(hp, "DataType", [("DATA_TYPE_UNSET", 0), ("DATA_TYPE_STRING", 1), ("DATA_TYPE_BOOL", 2), ("DATA_TYPE_FLOAT64", 3)])
    add_enum(hp, "DatasetType", [("DATASET_UNKNOWN", 0), ("DATASET_TRAINING", 1), ("DATASET_VALIDATION", 2)])
    add_enum(hp, "Status", [("STATUS_UNKNOWN", 0), ("STATUS_SUCCESS", 1), ("STATUS_FAILURE", 2), ("STATUS_RUNNING", 3)])
    add_message(hp.message_type, "Interval", [("min_value", 1, "double"), ("max_value", 2, "double")])
    add_message(hp.message_type, "MetricName", [("group", 1, "string"), ("tag", 2, "string")])
    add_message(hp.message_type, "HParamInfo", [
        ("name", 1, "string"), ("display_name", 2, "string"), ("description", 3, "string"),
        ("type", 4, ".tensorboard.hparams.DataType", {"enum": True}),
        ("domain_discrete", 5, ".google.protobuf.ListValue", {"oneof": "domain"}),
        ("domain_interval", 6, ".tensorboard.hparams.Interval", {"oneof": "domain"})], oneofs=["domain"])
    add_message(hp.message_type, "MetricInfo", [
        ("name", 1, ".tensorboard.hparams.MetricName"), ("display_name", 3, "string"), ("description", 4, "string"),
        ("dataset_type", 5, ".tensorboard.hparams.DatasetType", {"enum": True})])
    add_message(hp.message_type, "Experiment", [
        ("name", 6, "string"), ("description", 1, "string"), ("user", 2, "string"), ("time_created_secs", 3, "double"),
        ("hparam_infos", 4, ".tensorboard.hparams.HParamInfo", R), ("metric_infos", 5, ".tensorboard.hparams.MetricInfo", R)])
    add_message(hp.message_type, "SessionStartInfo", [
        ("hparams", 1, ".tensorboard.hparams.SessionStartInfo.HparamsEntry", R), ("model_uri", 2, "string"),
        ("monitor_url", 3, "string"), ("group_name", 4, "string"), ("start_time_secs", 5, "double")],
        nested=[lambda c: add_message(c, "HparamsEntry", [("key", 1, "string"), ("value", 2, ".google.protobuf.Value")],
                                      map_entry=True)])
    add_message(hp.message_type, "SessionEndInfo", [
        ("status", 1, ".tensorboard.hparams.Status", {"enum": True}), ("end_time_secs", 2, "double")])
    data = {"oneof": "data"}
    add_message(hp.message_type, "HParamsPluginData", [
        ("version", 1, "int32"), ("experiment", 2, ".tensorboard.hparams.Experiment", data),
        ("session_start_info", 3, ".tensorboard.hparams.SessionStartInfo", data),
        ("session_end_info", 4, ".tensorboard.hparams.SessionEndInfo", data)], oneofs=["data"])
    pool.Add(hp)
    return pool


POOL = build_pool()
_FACTORY = message_factory.MessageFactory(POOL) if not hasattr(message_factory, "GetMessageClass") else None


def cls(full_name):
    d = POOL.FindMessageTypeByName(full_name)
    c = message_factory.GetMessageClass(d) if hasattr(message_factory, "GetMessageClass") else _FACTORY.GetPrototype(d)
    # Generated _pb2 modules expose nested messages and enum values on the class (Summary.Value,
    # SessionLog.START); classes made from bare descriptors do not always.
    for nested in d.nested_types:
        if not hasattr(c, nested.name):
            setattr(c, nested.name, cls(nested.full_name))
    for e in d.enum_types:
        if not hasattr(c, e.name):
            setattr(c, e.name, EnumTypeWrapper(e))
        for v in e.values:
            if not hasattr(c, v.name):
                setattr(c, v.name, v.number)
    return c


def enum(full_name):
    return EnumTypeWrapper(POOL.FindEnumTypeByName(full_name))


Event = cls("tensorboard.Event")
Summary = cls("tensorboard.Summary")
HParamsPluginData = cls("tensorboard.hparams.HParamsPluginData")
GraphDef = cls("tensorboard.GraphDef")
RunMetadata = cls("tensorboard.RunMetadata")


# ---- PNG (zlib by hand) ----------------------------------------------------------------------------------

def decode_png(data):
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos, idat, ihdr, plte, trns = 8, b"", None, None, None
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        ctype = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])
        if zlib.crc32(ctype + body) & 0xFFFFFFFF != crc:
            raise ValueError("PNG chunk CRC mismatch in %r" % ctype)
        if ctype == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", body)
        elif ctype == b"IDAT":
            idat += body
        elif ctype == b"PLTE":
            plte = body
        elif ctype == b"tRNS":
            trns = body
        elif ctype == b"IEND":
            break
        pos += 12 + length
    width, height, depth, color_type, _, _, interlace = ihdr
    if depth != 8 or interlace != 0:
        raise ValueError("only 8-bit non-interlaced PNGs")
    bpp = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[color_type]
    raw = zlib.decompress(idat)
    stride = width * bpp
    out = bytearray(height * stride)
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)]
        for i in range(stride):
            a = out[y * stride + i - bpp] if i >= bpp else 0
            b = out[(y - 1) * stride + i] if y > 0 else 0
            c = out[(y - 1) * stride + i - bpp] if y > 0 and i >= bpp else 0
            if f == 0:
                p = 0
            elif f == 1:
                p = a
            elif f == 2:
                p = b
            elif f == 3:
                p = (a + b) // 2
            elif f == 4:
                pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                p = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
            else:
                raise ValueError("bad filter %d" % f)
            out[y * stride + i] = (line[i] + p) & 0xFF
    channels = bpp
    if color_type == 3:
        channels = 4 if trns else 3
        pal = bytearray()
        for k in out:
            pal += plte[3 * k:3 * k + 3] + (bytes([trns[k] if k < len(trns) else 255]) if trns else b"")
        out = pal
    res = {"width": width, "height": height, "channels": channels, "color_type": color_type, "pixels": bytes(out).hex()}
    try:
        import io
        from PIL import Image
        im = Image.open(io.BytesIO(data))
        im.load()
        res["pil_pixels_equal"] = im.tobytes().hex() == res["pixels"]
    except ImportError:
        pass
    return res


# ---- JSON views of messages ------------------------------------------------------------------------------

def num(x):
    if isinstance(x, float):
        if math.isnan(x):
            return "nan"
        if math.isinf(x):
            return "inf" if x > 0 else "-inf"
    return x


def metadata_json(m):
    out = {"display_name": m.display_name, "summary_description": m.summary_description, "data_class": m.data_class}
    if m.HasField("plugin_data"):
        out["plugin_name"] = m.plugin_data.plugin_name
        out["content_hex"] = m.plugin_data.content.hex()
        if m.plugin_data.plugin_name == "hparams":
            d = HParamsPluginData()
            d.ParseFromString(m.plugin_data.content)
            out["hparams"] = json_format.MessageToDict(d, preserving_proto_field_name=True)
    return out


def value_json(v):
    out = {"tag": v.tag, "kind": v.WhichOneof("value")}
    if v.node_name:
        out["node_name"] = v.node_name
    if v.HasField("metadata"):
        out["metadata"] = metadata_json(v.metadata)
    k = out["kind"]
    if k == "simple_value":
        out["simple_value"] = num(v.simple_value)
        out["simple_value_bits"] = struct.pack("<f", v.simple_value).hex()
    elif k == "image":
        im = v.image
        out["image"] = {"height": im.height, "width": im.width, "colorspace": im.colorspace,
                        "png": decode_png(im.encoded_image_string)}
    elif k == "histo":
        h = v.histo
        out["histo"] = {"min": num(h.min), "max": num(h.max), "num": num(h.num), "sum": num(h.sum),
                        "sum_squares": num(h.sum_squares), "bucket_limit": [num(x) for x in h.bucket_limit],
                        "bucket": [num(x) for x in h.bucket]}
    elif k == "tensor":
        t = v.tensor
        out["tensor"] = {
            "dtype": t.dtype,
            "shape": [d.size for d in t.tensor_shape.dim] if t.HasField("tensor_shape") else None,
            "float_val": [num(x) for x in t.float_val], "double_val": [num(x) for x in t.double_val],
            "int_val": list(t.int_val), "int64_val": list(t.int64_val),
            "string_val": [s.decode("utf-8") for s in t.string_val], "tensor_content_hex": t.tensor_content.hex()}
    return out


def event_json(e, offset):
    out = {"offset": offset, "wall_time": num(e.wall_time), "step": e.step, "what": e.WhichOneof("what")}
    if e.HasField("source_metadata"):
        out["source_writer"] = e.source_metadata.writer
    w = out["what"]
    if w == "file_version":
        out["file_version"] = e.file_version
    elif w == "session_log":
        out["session_log"] = {"status": e.session_log.status, "checkpoint_path": e.session_log.checkpoint_path,
                              "msg": e.session_log.msg}
    elif w == "summary":
        out["summary"] = [value_json(v) for v in e.summary.value]
    elif w == "graph_def":
        out["graph_def"] = graph_json(e.graph_def)
    elif w == "tagged_run_metadata":
        rm = RunMetadata()
        rm.ParseFromString(e.tagged_run_metadata.run_metadata)
        out["tagged_run_metadata"] = {"tag": e.tagged_run_metadata.tag,
                                      "devices": [d.device for d in rm.step_stats.dev_stats]}
    return out


def graph_json(data):
    g = GraphDef()
    g.ParseFromString(data)
    nodes = []
    for n in g.node:
        node = {"name": n.name, "op": n.op, "input": list(n.input)}
        if "attr" in n.attr:
            node["attr"] = n.attr["attr"].s.decode("utf-8")
        if "_output_shapes" in n.attr:
            node["output_shapes"] = [[d.size for d in s.dim] for s in n.attr["_output_shapes"].list.shape]
        nodes.append(node)
    return {"producer": g.versions.producer, "nodes": nodes}


def decode_file(path):
    data = open(path, "rb").read()
    events, pos, problem = [], 0, None
    while pos < len(data):
        if len(data) - pos < 12:
            problem = {"kind": "torn", "offset": pos}
            break
        header = data[pos:pos + 8]
        (hcrc,) = struct.unpack("<I", data[pos + 8:pos + 12])
        if masked_crc32c(header) != hcrc:
            problem = {"kind": "corrupt", "offset": pos, "what": "length crc"}
            break
        (length,) = struct.unpack("<Q", header)
        body = data[pos + 12:pos + 12 + length]
        if len(body) < length:
            problem = {"kind": "torn", "offset": pos}
            break
        tail = data[pos + 12 + length:pos + 16 + length]
        if len(tail) == 4 and struct.unpack("<I", tail)[0] != masked_crc32c(body):
            problem = {"kind": "corrupt", "offset": pos, "what": "data crc"}
            break
        e = Event()
        e.ParseFromString(body)
        events.append(event_json(e, pos))
        if len(tail) < 4:
            problem = {"kind": "torn", "offset": pos}
            break
        pos += 16 + length
    return {"path": path, "events": events, "problem": problem}


# ---- stand-ins for the `tensorboard` package -------------------------------------------------------------

class _Placeholder:
    """A class for every proto that PyTorch imports but the tested paths never build (graphs, projector)."""

    def __init__(self, *args, **kwargs):
        raise RuntimeError("tb_decode.py: this tensorboard proto is not provided by the stand-in")


class _StubModule(types.ModuleType):
    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return _Placeholder


_global_uid = [0]


class _RecordWriter:
    def __init__(self, f):
        self._f = f

    def write(self, data):
        self._f.write(frame(data))

    def flush(self):
        self._f.flush()

    def close(self):
        self._f.close()


class _EventFileWriter:
    """Synchronous stand-in for tensorboard/summary/writer/event_file_writer.py (same file name, first event)."""

    def __init__(self, logdir, max_queue_size=10, flush_secs=120, filename_suffix=""):
        self._logdir = logdir
        os.makedirs(logdir, exist_ok=True)
        uid = _global_uid[0]
        _global_uid[0] += 1
        self._file_name = os.path.join(logdir, "events.out.tfevents.%010d.%s.%s.%s" % (
            time.time(), socket.gethostname(), os.getpid(), uid)) + filename_suffix
        self._writer = _RecordWriter(open(self._file_name, "wb"))
        self.add_event(Event(wall_time=time.time(), file_version="brain.Event:2"))
        self.flush()

    def get_logdir(self):
        return self._logdir

    def add_event(self, event):
        self._writer.write(event.SerializeToString())

    def flush(self):
        self._writer.flush()

    def close(self):
        self._writer.flush()
        self._writer.close()


def install_tensorboard_stand_in():
    def mod(name, **attrs):
        m = _StubModule(name)
        m.__path__ = []
        m.__dict__.update(attrs)
        sys.modules[name] = m
        return m

    mod("tensorboard", __version__="2.99.0-torch-ts-stand-in")
    mod("tensorboard.compat", tf=None)
    mod("tensorboard.compat.proto")
    mod("tensorboard.compat.proto.summary_pb2", Summary=Summary, HistogramProto=cls("tensorboard.HistogramProto"),
        SummaryMetadata=cls("tensorboard.SummaryMetadata"))
    mod("tensorboard.compat.proto.tensor_pb2", TensorProto=cls("tensorboard.TensorProto"))
    mod("tensorboard.compat.proto.tensor_shape_pb2", TensorShapeProto=cls("tensorboard.TensorShapeProto"))
    SessionLog = cls("tensorboard.SessionLog")
    event_pb2 = mod("tensorboard.compat.proto.event_pb2", Event=Event, SessionLog=SessionLog,
                    SourceMetadata=cls("tensorboard.SourceMetadata"),
                    TaggedRunMetadata=cls("tensorboard.TaggedRunMetadata"))
    sys.modules["tensorboard.compat.proto"].event_pb2 = event_pb2
    mod("tensorboard.compat.proto.attr_value_pb2", AttrValue=cls("tensorboard.AttrValue"))
    mod("tensorboard.compat.proto.node_def_pb2", NodeDef=cls("tensorboard.NodeDef"))
    mod("tensorboard.compat.proto.versions_pb2", VersionDef=cls("tensorboard.VersionDef"))
    mod("tensorboard.compat.proto.graph_pb2", GraphDef=cls("tensorboard.GraphDef"))
    mod("tensorboard.compat.proto.step_stats_pb2", StepStats=cls("tensorboard.StepStats"),
        DeviceStepStats=cls("tensorboard.DeviceStepStats"))
    mod("tensorboard.compat.proto.config_pb2", RunMetadata=cls("tensorboard.RunMetadata"))
    mod("tensorboard.plugins")
    mod("tensorboard.plugins.projector")
    mod("tensorboard.plugins.projector.projector_config_pb2")
    mod("tensorboard.plugins.custom_scalar")
    mod("tensorboard.plugins.custom_scalar.layout_pb2")
    mod("tensorboard.plugins.pr_curve")
    mod("tensorboard.plugins.pr_curve.plugin_data_pb2", PrCurvePluginData=cls("tensorboard.PrCurvePluginData"))
    mod("tensorboard.plugins.text")
    mod("tensorboard.plugins.text.plugin_data_pb2", TextPluginData=cls("tensorboard.TextPluginData"))
    mod("tensorboard.plugins.hparams")
    mod("tensorboard.plugins.hparams.api_pb2", Experiment=cls("tensorboard.hparams.Experiment"),
        HParamInfo=cls("tensorboard.hparams.HParamInfo"), MetricInfo=cls("tensorboard.hparams.MetricInfo"),
        MetricName=cls("tensorboard.hparams.MetricName"), Status=enum("tensorboard.hparams.Status"),
        DataType=enum("tensorboard.hparams.DataType"))
    mod("tensorboard.plugins.hparams.metadata", PLUGIN_NAME="hparams", PLUGIN_DATA_VERSION=0,
        EXPERIMENT_TAG="_hparams_/experiment", SESSION_START_INFO_TAG="_hparams_/session_start_info",
        SESSION_END_INFO_TAG="_hparams_/session_end_info")
    mod("tensorboard.plugins.hparams.plugin_data_pb2", HParamsPluginData=HParamsPluginData,
        SessionEndInfo=cls("tensorboard.hparams.SessionEndInfo"),
        SessionStartInfo=cls("tensorboard.hparams.SessionStartInfo"))
    mod("tensorboard.summary")
    mod("tensorboard.summary.writer")
    mod("tensorboard.summary.writer.event_file_writer", EventFileWriter=_EventFileWriter)
    mod("tensorboard.summary.writer.record_writer", RecordWriter=_RecordWriter)
    try:
        import six  # noqa: F401
    except ImportError:
        six = mod("six", string_types=(str,))
        mod("six.moves", range=range)
        six.moves = sys.modules["six.moves"]


def real_tensorboard():
    try:
        import tensorboard  # noqa: F401
        return True
    except ImportError:
        return False


def load_pytorch_tensorboard():
    """torch.utils.tensorboard's summary and writer modules, with the stand-in when tensorboard is missing."""
    real = real_tensorboard()
    if not real:
        install_tensorboard_stand_in()
    import torch  # noqa: F401
    tb = importlib.import_module("torch.utils.tensorboard")
    summary = importlib.import_module("torch.utils.tensorboard.summary")
    _patch_numpy_greater(summary)
    return real, summary, tb.SummaryWriter


class _NumpyGreaterShim(types.ModuleType):
    """numpy, except that `greater(a, b, dtype=int32)` returns the 0/1 ints PyTorch's make_histogram wants.

    PyTorch 1.13's make_histogram calls `np.greater(counts, 0, dtype=np.int32)`, which numpy >= 1.24 rejects
    ("No loop matching the specified signature"); later PyTorch computes the same 0/1 vector differently.
    """

    def __init__(self, np):
        super().__init__("numpy")
        self._np = np

    def __getattr__(self, name):
        return getattr(self._np, name)

    def greater(self, a, b, dtype=None, **kw):
        r = self._np.greater(a, b, **kw)
        return r if dtype is None else r.astype(dtype)


def _patch_numpy_greater(summary):
    np = summary.np
    try:
        np.greater(np.array([1, 0]), 0, dtype=np.int32)
    except TypeError:
        summary.np = _NumpyGreaterShim(np)


# ---- running a spec through PyTorch ----------------------------------------------------------------------

def make_tensor(spec):
    import torch
    dtype = {"float32": torch.float32, "float64": torch.float64, "uint8": torch.uint8, "int64": torch.int64,
             "int32": torch.int32, "bool": torch.bool}[spec.get("dtype", "float32")]
    return torch.tensor(spec["values"], dtype=dtype).reshape(spec["shape"])


def default_bins():
    # torch/utils/tensorboard/writer.py SummaryWriter.__init__ (used only for the summaries mode: the writer
    # mode runs PyTorch's own copy).
    v, buckets, neg = 1e-12, [], []
    while v < 1e20:
        buckets.append(v)
        neg.append(-v)
        v *= 1.1
    return neg[::-1] + [0] + buckets


def run_summary_op(summary, op):
    kind = op["op"]
    if kind == "scalar":
        return [summary.scalar(op["tag"], float(op["value"]), new_style=op.get("new_style", False),
                               double_precision=op.get("double_precision", False))]
    if kind == "histogram":
        import numpy as np
        bins = op.get("bins", "tensorflow")
        if bins == "tensorflow":
            bins = default_bins()
        values = np.array(op["values"], dtype=op.get("dtype", "float32")).reshape(op.get("shape", [-1]))
        return [summary.histogram(op["tag"], values, bins, max_bins=op.get("max_bins"))]
    if kind == "image":
        return [summary.image(op["tag"], make_tensor(op), dataformats=op["dataformats"])]
    if kind == "text":
        return [summary.text(op["tag"], op["text"])]
    if kind == "hparams":
        return list(summary.hparams(op["hparams"], op["metrics"], op.get("domain")))
    if kind == "pr_curve":
        import numpy as np
        labels = np.array(op["labels"], dtype=op.get("labels_dtype", "int64"))
        predictions = np.array([float(x) for x in op["predictions"]], dtype=op.get("dtype", "float32"))
        weights = op.get("weights")
        if isinstance(weights, list):
            weights = np.array(weights, dtype="float64")
        return [summary.pr_curve(op["tag"], labels, predictions, op.get("num_thresholds", 127), weights)]
    if kind == "pr_curve_raw":
        import numpy as np
        rows = [np.array(op[k], dtype="float64") for k in ("tp", "fp", "tn", "fn", "precision", "recall")]
        return [summary.pr_curve_raw(op["tag"], *rows, op.get("num_thresholds", 127))]
    raise ValueError("unknown op %r" % kind)


def run_writer_op(w, op):
    kind, step, wt = op["op"], op.get("step"), op.get("walltime")
    if kind == "add_scalar":
        w.add_scalar(op["tag"], op["value"], step, wt, new_style=op.get("new_style", False),
                     double_precision=op.get("double_precision", False))
    elif kind == "add_scalars":
        w.add_scalars(op["main_tag"], op["values"], step, wt)
    elif kind == "add_histogram":
        import numpy as np
        values = np.array(op["values"], dtype=op.get("dtype", "float32"))
        w.add_histogram(op["tag"], values, step, bins=op.get("bins", "tensorflow"), walltime=wt, max_bins=op.get("max_bins"))
    elif kind == "add_image":
        w.add_image(op["tag"], make_tensor(op), step, wt, dataformats=op.get("dataformats", "CHW"))
    elif kind == "add_images":
        w.add_images(op["tag"], make_tensor(op), step, wt, dataformats=op.get("dataformats", "NCHW"))
    elif kind == "add_text":
        w.add_text(op["tag"], op["text"], step, wt)
    elif kind == "add_hparams":
        w.add_hparams(op["hparams"], op["metrics"], op.get("domain"), run_name=op.get("run_name"))
    elif kind == "flush":
        w.flush()
    else:
        raise ValueError("unknown op %r" % kind)


def main():
    if len(sys.argv) < 2:
        fail("usage: tb_decode.py probe|selftest|decode|summaries|writer ...", 2)
    mode = sys.argv[1]
    if mode == "probe":
        out = {"protobuf": True, "tensorboard": real_tensorboard()}
        for name in ["PIL", "torch", "numpy"]:
            try:
                importlib.import_module(name)
                out[name] = True
            except ImportError:
                out[name] = False
        print(json.dumps(out))
    elif mode == "selftest":
        ev1 = Event(wall_time=1.0, file_version="brain.Event:2").SerializeToString()
        ev2 = Event(wall_time=1.0, step=5)
        ev2.summary.value.add(tag="loss", simple_value=0.5)
        ev2 = ev2.SerializeToString()
        print(json.dumps({"crc32c_123456789": crc32c(b"123456789"), "event1": ev1.hex(), "record1": frame(ev1).hex(),
                          "event2": ev2.hex(), "record2": frame(ev2).hex()}))
    elif mode == "decode":
        print(json.dumps([decode_file(p) for p in sys.argv[2:]]))
    elif mode == "summaries":
        spec = json.load(open(sys.argv[2]))
        real, summary, _ = load_pytorch_tensorboard()
        results = []
        for op in spec:
            try:
                sums = run_summary_op(summary, op)
                # Re-parse with our descriptors so real tensorboard classes and the stand-in print alike.
                parsed = []
                for s in sums:
                    b = s.SerializeToString()
                    m = Summary()
                    m.ParseFromString(b)
                    parsed.append({"hex": b.hex(), "values": [value_json(v) for v in m.value]})
                results.append({"ok": True, "summaries": parsed})
            except Exception as e:  # reported per op: the test compares errors too
                results.append({"ok": False, "error": "%s: %s" % (type(e).__name__, e)})
        print(json.dumps({"real_tensorboard": real, "results": results}))
    elif mode == "writer":
        spec = json.load(open(sys.argv[2]))
        logdir = sys.argv[3]
        real, _, SummaryWriter = load_pytorch_tensorboard()
        w = SummaryWriter(logdir, **spec.get("kwargs", {}))
        for op in spec["ops"]:
            run_writer_op(w, op)
        w.close()
        print(json.dumps({"real_tensorboard": real, "logdir": logdir}))
    elif mode == "pytorch-graph":
        # PyTorch's own add_graph (torch.jit.trace + _pytorch_graph.graph) on the model a Python file defines
        # as `model` with inputs `inputs`, written by PyTorch's SummaryWriter into LOGDIR.
        real, _, SummaryWriter = load_pytorch_tensorboard()
        scope = {}
        exec(open(sys.argv[2]).read(), scope)
        w = SummaryWriter(sys.argv[3])
        w.add_graph(scope["model"], scope["inputs"])
        w.close()
        print(json.dumps({"real_tensorboard": real, "logdir": sys.argv[3]}))
    elif mode == "tb-load":
        # TensorBoard's own loader (needs the real tensorboard package).
        from tensorboard.backend.event_processing import event_accumulator as ea
        acc = ea.EventAccumulator(sys.argv[2], size_guidance={ea.SCALARS: 0, ea.IMAGES: 0, ea.HISTOGRAMS: 0, ea.TENSORS: 0})
        acc.Reload()
        tags = acc.Tags()
        print(json.dumps({
            "tags": {k: v for k, v in tags.items() if isinstance(v, list)},
            "scalars": {t: [[e.step, e.value] for e in acc.Scalars(t)] for t in tags.get("scalars", [])},
            "images": {t: [[e.step, e.height, e.width] for e in acc.Images(t)] for t in tags.get("images", [])},
            "histograms": {t: [[e.step, e.histogram_value.num] for e in acc.Histograms(t)] for t in tags.get("histograms", [])},
            "tensors": {t: [[e.step, [x.decode("utf-8", "replace") for x in e.tensor_proto.string_val]] for e in acc.Tensors(t)]
                        for t in tags.get("tensors", [])},
        }))
    else:
        fail("unknown mode %r" % mode, 2)


if __name__ == "__main__":
    main()
