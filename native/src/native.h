// Entry points of the torch-ts native addon (registered in addon.cc).
#pragma once

#include <napi.h>

namespace tt {

Napi::Value ConvForward(const Napi::CallbackInfo& info);
Napi::Value ConvBackwardData(const Napi::CallbackInfo& info);
Napi::Value ConvBackwardWeights(const Napi::CallbackInfo& info);
Napi::Value ConvPlans(const Napi::CallbackInfo& info);
void ClearConvPlans();

Napi::Value Gemm(const Napi::CallbackInfo& info);

Napi::Value MaxPool(const Napi::CallbackInfo& info);
Napi::Value AvgPool(const Napi::CallbackInfo& info);
Napi::Value AvgPoolBackward(const Napi::CallbackInfo& info);
Napi::Value PoolScatterAdd(const Napi::CallbackInfo& info);

Napi::Value Map(const Napi::CallbackInfo& info);
Napi::Value ReduceSum(const Napi::CallbackInfo& info);

}  // namespace tt
