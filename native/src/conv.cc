// Convolution forward, backward-data and backward-weights on oneDNN, over the tensors' own storage.
//
// Every call names its problem with 23 integers (see `Problem::read`); the primitive built for it is cached
// under those integers and the thread count. The primitive runs on the layouts its direct JIT kernels
// choose (nChw16c, OIhw16i16o, ...; plain NCHW for a first layer's 1-3 input channels), with reorders
// from and to the tensors' NCHW storage around it.
//
// Plain NCHW everywhere (no reorders) would mean oneDNN's im2col + sgemm implementation (`gemm:jit`), the
// only non-reference one for plain layouts. Timed on the benchmark's layers (W1, W5, W6, W8) it is 2–10×
// slower than the direct kernels on forward and weight gradients and faster only on input gradients with at
// most 3 channels (W1: 0.77 vs 1.1 ms, W6 conv1: 0.73 vs 2.0 ms) — and its sgemm corrupts the heap when
// a signal arrives mid-call (see gemm.cc), so gemm-based implementations are skipped altogether.
#include <omp.h>

#include <algorithm>
#include <cstdlib>

#include "common.h"
#include "native.h"

namespace tt {
namespace {

using dnnl::memory;
using tag = memory::format_tag;
using dt = memory::data_type;

enum class Kind { forward = 0, backward_data = 1, backward_weights = 2 };

const char* kind_name(Kind k) {
  switch (k) {
    case Kind::forward: return "convForward";
    case Kind::backward_data: return "convBackwardInput";
    default: return "convBackwardWeight";
  }
}

/** One convolution's geometry: x [N, IC, *S], w [OC, IC/G, *K], y [N, OC, *O]. */
struct Problem {
  int nsp = 0;
  int64_t N = 0, IC = 0, OC = 0, G = 1;
  int64_t S[3] = {1, 1, 1}, K[3] = {1, 1, 1}, O[3] = {1, 1, 1}, st[3] = {1, 1, 1}, pl[3] = {0, 0, 0},
          dil[3] = {1, 1, 1};
  std::vector<int64_t> raw;

  static Problem read(const Napi::Value& v) {
    if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_int32_array) {
      throw UsageError("dims must be an Int32Array");
    }
    Napi::Int32Array a = v.As<Napi::Int32Array>();
    if (a.ElementLength() < 23) throw UsageError("dims must hold 23 integers");
    Problem p;
    p.raw.assign(a.Data(), a.Data() + 23);
    const int32_t* d = a.Data();
    p.nsp = d[0];
    if (p.nsp < 1 || p.nsp > 3) throw UsageError("1 to 3 spatial dims expected");
    p.N = d[1];
    p.IC = d[2];
    p.OC = d[3];
    p.G = d[4];
    for (int i = 0; i < 3; i++) {
      p.S[i] = d[5 + i];
      p.K[i] = d[8 + i];
      p.O[i] = d[11 + i];
      p.st[i] = d[14 + i];
      p.pl[i] = d[17 + i];
      p.dil[i] = d[20 + i];
    }
    if (p.G < 1 || p.IC % p.G != 0 || p.OC % p.G != 0) throw UsageError("channels must divide into groups");
    for (int i = 0; i < p.nsp; i++) {
      if (p.st[i] < 1 || p.dil[i] < 1 || p.pl[i] < 0 || p.K[i] < 1 || p.S[i] < 1 || p.O[i] < 1) {
        throw UsageError("invalid geometry");
      }
    }
    if (p.N < 1 || p.IC < 1 || p.OC < 1) throw UsageError("empty tensors are not supported");
    return p;
  }

  memory::dims spatial(const int64_t* v) const { return memory::dims(v, v + nsp); }
  memory::dims src() const {
    memory::dims d{N, IC};
    for (int i = 0; i < nsp; i++) d.push_back(S[i]);
    return d;
  }
  memory::dims dst() const {
    memory::dims d{N, OC};
    for (int i = 0; i < nsp; i++) d.push_back(O[i]);
    return d;
  }
  memory::dims wei() const {
    memory::dims d = G > 1 ? memory::dims{G, OC / G, IC / G} : memory::dims{OC, IC};
    for (int i = 0; i < nsp; i++) d.push_back(K[i]);
    return d;
  }
  memory::dims strides() const { return spatial(st); }
  memory::dims dilates() const {
    memory::dims d;
    for (int i = 0; i < nsp; i++) d.push_back(dil[i] - 1);
    return d;
  }
  memory::dims pad_l() const { return spatial(pl); }
  /** The end padding that makes oneDNN's output size O (negative when floor() drops input rows). */
  memory::dims pad_r() const {
    memory::dims d;
    for (int i = 0; i < nsp; i++) d.push_back((O[i] - 1) * st[i] + (K[i] - 1) * dil[i] + 1 - S[i] - pl[i]);
    return d;
  }
  tag act_tag() const { return nsp == 1 ? tag::ncw : nsp == 2 ? tag::nchw : tag::ncdhw; }
  tag channels_last_tag() const { return nsp == 1 ? tag::nwc : nsp == 2 ? tag::nhwc : tag::ndhwc; }
  tag wei_tag() const {
    if (G > 1) return nsp == 1 ? tag::goiw : nsp == 2 ? tag::goihw : tag::goidhw;
    return nsp == 1 ? tag::oiw : nsp == 2 ? tag::oihw : tag::oidhw;
  }
  int64_t src_size() const { return N * IC * S[0] * S[1] * S[2]; }
  int64_t dst_size() const { return N * OC * O[0] * O[1] * O[2]; }
  int64_t wei_size() const { return OC * (IC / G) * K[0] * K[1] * K[2]; }
  /** Multiply-adds of the convolution (the same for its two gradients). */
  int64_t macs() const { return dst_size() * (IC / G) * K[0] * K[1] * K[2]; }
  /**
   * Problems under 2^23 multiply-adds (about 0.1 ms on one core) run on one thread when the minibatch is
   * 1: a second one could save at most half of that, less than waking it costs (batch-1 convolutions of W8
   * took 8–20 ms at 2 threads under load, 0.1 ms at 1; on an idle machine W8 batch 1 went from 0.35 to
   * 0.47 ms with a 2^22 bound). With a minibatch to split, oneDNN's kernels give each thread whole
   * images and the bound is 2^22 (W6's first convolution, 7.5M: 0.36 -> 0.23 ms with two threads).
   */
  bool small() const { return macs() < (N >= 2 ? int64_t{1} << 22 : int64_t{1} << 23); }
};

/**
 * An operand of a plan: its user (plain) layout, the primitive's layout, and the reorder between them. The
 * reordered copy lives in a per-thread buffer shared by all plans (`staging`), not in the plan: plans run
 * one at a time, and a cache of plans then holds no activation-sized memory.
 */
struct Operand {
  memory::desc user;
  memory::desc impl;
  int arg = 0;
  bool reorder = false;
  dnnl::reorder r;
};

/** Growable per-thread buffers for the reordered operands, one per operand slot (0, 1, output). */
void* staging(int slot, size_t bytes) {
  struct Buffers {
    void* p[3] = {nullptr, nullptr, nullptr};
    size_t n[3] = {0, 0, 0};
    ~Buffers() {
      for (void* q : p) std::free(q);
    }
  };
  thread_local Buffers b;
  if (bytes > b.n[slot]) {
    std::free(b.p[slot]);
    b.p[slot] = nullptr;
    b.n[slot] = 0;
    const size_t rounded = (bytes + 4095) & ~static_cast<size_t>(4095);
    b.p[slot] = std::aligned_alloc(64, rounded);
    if (b.p[slot] == nullptr) throw std::bad_alloc();
    b.n[slot] = rounded;
  }
  return b.p[slot];
}

struct Plan {
  dnnl::primitive prim;
  Operand in0, in1, out;
  memory::desc bias;
  size_t scratch = 0;
  std::string impl;
};

LruCache<Plan>& cache() {
  thread_local LruCache<Plan> c(256);
  return c;
}

/** Moves `pd` past oneDNN's gemm-based implementations (see the top of this file); `ref` always remains. */
template <typename PD>
void skip_gemm(PD& pd) {
  while (std::string(pd.impl_info_str()).find("gemm") != std::string::npos) {
    if (!pd.next_impl()) throw UsageError("oneDNN has no implementation of this convolution besides gemm:jit");
  }
}

/** Sets up an operand whose primitive layout is `impl` (a reorder when it is not the plain one). */
Operand operand(const memory::desc& user, const memory::desc& impl, int arg, bool input) {
  Operand o;
  o.user = user;
  o.impl = impl;
  o.arg = arg;
  o.reorder = !(impl == user);
  if (o.reorder) {
    const memory u(user, engine(), DNNL_MEMORY_NONE);
    const memory i(impl, engine(), DNNL_MEMORY_NONE);
    o.r = input ? dnnl::reorder(u, i) : dnnl::reorder(i, u);
  }
  return o;
}

Plan build(Kind kind, const Problem& p, bool bias) {
  const memory::desc src_u(p.src(), dt::f32, p.act_tag());
  const memory::desc dst_u(p.dst(), dt::f32, p.act_tag());
  const memory::desc wei_u(p.wei(), dt::f32, p.wei_tag());
  const memory::desc src_m(p.src(), dt::f32, tag::any);
  const memory::desc dst_m(p.dst(), dt::f32, tag::any);
  const memory::desc wei_m(p.wei(), dt::f32, tag::any);
  const memory::desc bias_md = bias ? memory::desc({p.OC}, dt::f32, tag::x) : memory::desc();
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  const auto alg = dnnl::algorithm::convolution_direct;
  const auto fwd_kind = dnnl::prop_kind::forward_training;
  Plan plan;
  plan.bias = bias_md;
  dnnl::convolution_forward::desc fd(fwd_kind, alg, src_m, wei_m, bias && kind == Kind::forward ? bias_md : memory::desc(),
                                     dst_m, p.strides(), p.dilates(), p.pad_l(), p.pad_r());
  dnnl::convolution_forward::primitive_desc fpd(fd, attr, engine());
  skip_gemm(fpd);
  if (kind == Kind::forward) {
    plan.prim = dnnl::convolution_forward(fpd);
    plan.in0 = operand(src_u, fpd.src_desc(), DNNL_ARG_SRC, true);
    plan.in1 = operand(wei_u, fpd.weights_desc(), DNNL_ARG_WEIGHTS, true);
    plan.out = operand(dst_u, fpd.dst_desc(), DNNL_ARG_DST, false);
    plan.scratch = fpd.scratchpad_desc().get_size();
    plan.impl = fpd.impl_info_str();
  } else if (kind == Kind::backward_data) {
    // Few input channels: the blocked layout oneDNN picks pads the input gradient's channels to 16 (5×
    // the work for 3); channels-last diff_src and diff_dst do not. W1's input gradient (3 channels):
    // 0.69 -> 0.28 ms with the two extra reorders; LeNet's conv2 (6 channels) unchanged.
    const bool channels_last = p.IC < 16 && p.G == 1;
    const memory::desc bsrc = channels_last ? memory::desc(p.src(), dt::f32, p.channels_last_tag()) : src_m;
    const memory::desc bdst = channels_last ? memory::desc(p.dst(), dt::f32, p.channels_last_tag()) : dst_m;
    dnnl::convolution_backward_data::desc bd(alg, bsrc, wei_m, bdst, p.strides(), p.dilates(), p.pad_l(), p.pad_r());
    dnnl::convolution_backward_data::primitive_desc bpd(bd, attr, engine(), fpd);
    skip_gemm(bpd);
    plan.prim = dnnl::convolution_backward_data(bpd);
    plan.in0 = operand(dst_u, bpd.diff_dst_desc(), DNNL_ARG_DIFF_DST, true);
    plan.in1 = operand(wei_u, bpd.weights_desc(), DNNL_ARG_WEIGHTS, true);
    plan.out = operand(src_u, bpd.diff_src_desc(), DNNL_ARG_DIFF_SRC, false);
    plan.scratch = bpd.scratchpad_desc().get_size();
    plan.impl = bpd.impl_info_str();
  } else {
    dnnl::convolution_backward_weights::desc wd(alg, src_m, wei_m, dst_m, p.strides(), p.dilates(), p.pad_l(), p.pad_r());
    dnnl::convolution_backward_weights::primitive_desc wpd(wd, attr, engine(), fpd);
    skip_gemm(wpd);
    plan.prim = dnnl::convolution_backward_weights(wpd);
    plan.in0 = operand(src_u, wpd.src_desc(), DNNL_ARG_SRC, true);
    plan.in1 = operand(dst_u, wpd.diff_dst_desc(), DNNL_ARG_DIFF_DST, true);
    plan.out = operand(wei_u, wpd.diff_weights_desc(), DNNL_ARG_DIFF_WEIGHTS, false);
    plan.scratch = wpd.scratchpad_desc().get_size();
    plan.impl = wpd.impl_info_str();
  }
  return plan;
}

void run(Plan& plan, void* in0, void* in1, void* out, void* bias) {
  dnnl::engine& eng = engine();
  dnnl::stream& s = stream();
  memory u0(plan.in0.user, eng, in0);
  memory u1(plan.in1.user, eng, in1);
  memory uo(plan.out.user, eng, out);
  const auto staged = [&](const Operand& o, int slot, const memory& user) {
    return o.reorder ? memory(o.impl, eng, staging(slot, o.impl.get_size())) : user;
  };
  memory m0 = staged(plan.in0, 0, u0);
  memory m1 = staged(plan.in1, 1, u1);
  memory mo = staged(plan.out, 2, uo);
  if (plan.in0.reorder) plan.in0.r.execute(s, u0, m0);
  if (plan.in1.reorder) plan.in1.r.execute(s, u1, m1);
  std::unordered_map<int, memory> args{{plan.in0.arg, m0}, {plan.in1.arg, m1}, {plan.out.arg, mo}};
  if (plan.scratch > 0) {
    args.emplace(DNNL_ARG_SCRATCHPAD,
                 memory(memory::desc({static_cast<int64_t>(plan.scratch)}, dt::u8, tag::x), eng, scratchpad(plan.scratch)));
  }
  if (bias != nullptr && plan.in0.arg == DNNL_ARG_SRC && plan.out.arg == DNNL_ARG_DST) {
    args.emplace(DNNL_ARG_BIAS, memory(plan.bias, eng, bias));
  }
  plan.prim.execute(s, args);
  if (plan.out.reorder) plan.out.r.execute(s, mo, uo);
  s.wait();
}

/** Finds or builds the plan for a problem. */
Plan& plan_for(Kind kind, const Problem& p, bool bias) {
  const std::string key = key_of({static_cast<int64_t>(kind), bias, p.small() ? 1 : max_threads()}, p.raw);
  if (Plan* plan = cache().find(key)) return *plan;
  return *cache().insert(key, build(kind, p, bias));
}

/** `gx[n, c, ...] += bias[c]` over contiguous planes of `plane` elements. */
void add_channel_bias(float* gx, const float* bias, int64_t N, int64_t C, int64_t plane) {
#pragma omp parallel for schedule(static) num_threads(threads_for(N * C * plane))
  for (int64_t nc = 0; nc < N * C; nc++) {
    const float b = bias[nc % C];
    float* row = gx + nc * plane;
    for (int64_t i = 0; i < plane; i++) row[i] += b;
  }
}

struct Args {
  float* a;
  float* b;
  float* out;
  float* bias = nullptr;
};

/**
 * Reads `(a, aOff, b, bOff, bias | null, biasOff, out, outOff, dims)` and checks every view against its
 * storage: a wrong size is an Error here, never a write past the array.
 */
Args read_args(const Napi::CallbackInfo& info, const Problem& p, Kind kind) {
  if (info.Length() < 9) throw UsageError("expected 9 arguments");
  int64_t sa, sb, so;
  if (kind == Kind::forward) {
    sa = p.src_size(), sb = p.wei_size(), so = p.dst_size();
  } else if (kind == Kind::backward_data) {
    sa = p.dst_size(), sb = p.wei_size(), so = p.src_size();
  } else {
    sa = p.src_size(), sb = p.dst_size(), so = p.wei_size();
  }
  size_t la, lb, lo;
  Args r;
  r.a = typed<float>(info, 0, "a", &la);
  r.b = typed<float>(info, 2, "b", &lb);
  r.out = typed<float>(info, 6, "out", &lo);
  const int64_t oa = info[1].As<Napi::Number>().Int64Value();
  const int64_t ob = info[3].As<Napi::Number>().Int64Value();
  const int64_t oo = info[7].As<Napi::Number>().Int64Value();
  check_span(la, oa, sa, "a");
  check_span(lb, ob, sb, "b");
  check_span(lo, oo, so, "out");
  r.a += oa;
  r.b += ob;
  r.out += oo;
  if (!info[4].IsNull() && !info[4].IsUndefined()) {
    size_t lbias;
    r.bias = typed<float>(info, 4, "bias", &lbias);
    const int64_t obias = info[5].As<Napi::Number>().Int64Value();
    check_span(lbias, obias, kind == Kind::backward_data ? p.IC : p.OC, "bias");
    r.bias += obias;
  }
  return r;
}

Napi::Value conv_entry(const Napi::CallbackInfo& info, Kind kind) {
  return guard(info, kind_name(kind), [&]() -> Napi::Value {
    const Problem p = Problem::read(info[8]);
    Args a = read_args(info, p, kind);
    SingleThread one(p.small());
    const bool fwd_bias = kind == Kind::forward && a.bias != nullptr;
    run(plan_for(kind, p, fwd_bias), a.a, a.b, a.out, fwd_bias ? a.bias : nullptr);
    if (kind == Kind::backward_data && a.bias != nullptr) {
      add_channel_bias(a.out, a.bias, p.N, p.IC, p.S[0] * p.S[1] * p.S[2]);
    }
    return info.Env().Undefined();
  });
}

}  // namespace

Napi::Value ConvForward(const Napi::CallbackInfo& info) { return conv_entry(info, Kind::forward); }
Napi::Value ConvBackwardData(const Napi::CallbackInfo& info) { return conv_entry(info, Kind::backward_data); }
Napi::Value ConvBackwardWeights(const Napi::CallbackInfo& info) { return conv_entry(info, Kind::backward_weights); }

Napi::Value ConvPlans(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Array out = Napi::Array::New(env);
  uint32_t i = 0;
  cache().for_each([&](const std::string& key, const Plan& e) {
    Napi::Object o = Napi::Object::New(env);
    std::vector<int64_t> ints(key.size() / sizeof(int64_t));
    std::memcpy(ints.data(), key.data(), key.size());
    o.Set("op", kind_name(static_cast<Kind>(ints[0])));
    Napi::Array dims = Napi::Array::New(env, ints.size() - 3);
    for (size_t j = 3; j < ints.size(); j++) dims.Set(static_cast<uint32_t>(j - 3), static_cast<double>(ints[j]));
    o.Set("dims", dims);
    o.Set("threads", static_cast<double>(ints[2]));
    o.Set("impl", e.impl);
    o.Set("reorders", static_cast<double>(e.in0.reorder + e.in1.reorder + e.out.reorder));
    out.Set(i++, o);
  });
  return out;
}

void ClearConvPlans() { cache().clear(); }

}  // namespace tt
