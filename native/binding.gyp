{
  "targets": [
    {
      "target_name": "torch_ts_native",
      "sources": ["src/addon.cc", "src/common.cc", "src/conv.cc", "src/gemm.cc", "src/pool.cc", "src/eltwise.cc"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_CPP_EXCEPTIONS", "NAPI_VERSION=8", "NODE_ADDON_API_DISABLE_DEPRECATED"],
      "cflags!": ["-fno-exceptions", "-fno-rtti"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti"],
      "cflags_cc": ["-std=c++17", "-O3", "-fopenmp", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "libraries": ["-ldnnl", "-fopenmp"]
    }
  ]
}
