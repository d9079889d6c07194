// performer on CUDA (meaning in core/attention/variants/performer.cpp): the
// CPU kernel's arithmetic (core/backend/cpu/variants/performer_kernel.cpp) on
// the device, with the same stabilisers, so in fp32 the two agree to rounding.
// fp16/bf16: Q, K and V are rounded to the precision (part of the timed
// forward) and the feature products W' x run on tensor cores (16-bit W' and
// x, fp32 accumulation); the features and the products after them stay fp32,
// since exp features span e^-80 .. 1, far past fp16's range, and are the
// variant's meaning rather than its inputs.
//
// Device, all heads at once:
//   features  logits W' x (W' = W d^-1/4) through cuBLAS, then small kernels:
//             minus |x'|^2 / 2; queries exp(l - row max) (floor e^-60); keys
//             exp(l - shift) with shift = the head's largest key logit
//             (floor e^-80). The constant 1/sqrt(m) cancels and is left out.
//   non-causal  [S | z] = phi(K)^T [V | 1]  ([m x (dv + 1)]), then
//             phi(Q) [S | z] and O = numerators / normaliser.
//   causal    a chunked prefix scan with C = kPerformerCausalChunk tokens per
//             chunk, every chunk of every head in one batched GEMM per step:
//             U_c = phi(K_c)^T [V_c | 1]; an exclusive scan over chunks gives
//             each chunk the state of the tokens before it; within the chunk
//             the lower triangle of phi(Q_c) phi(K_c)^T; numerators
//             phi(Q_c) state_c + tril(..) [V_c | 1]. Cost: 4 n m (dv + 1) +
//             2 n C (m + dv) flops as the cost model counts, in 5 GEMM
//             launches and 2 small kernels whatever n is, but it holds every
//             chunk's state: heads * (n / C) * m * (dv + 1) floats (n = 65536,
//             m = 256, dv = 64: 68 MB per head). A state-carrying scan over
//             groups of chunks would bound that; first the simple version.
// Host: W drawn by performerFeatureMatrix (the CPU's draws), kept per
// (seed, m, d, orthogonal), uploaded outside the timed region; [V | 1] built
// on the host while uploading.
#include <cuda_runtime.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <mutex>
#include <tuple>
#include <vector>

#include "attention/registry.hpp"
#include "attention/variants/performer.hpp"
#include "common/error.hpp"
#include "cublas_util.hpp"
#include "cuda_lowrank.hpp"
#include "cuda_lowrank_run.hpp"

namespace attnscope::kernels {

namespace {

constexpr int64_t kChunk = kPerformerCausalChunk;
constexpr float kQueryFloor = 60.0f, kKeyFloor = 80.0f;  // as the CPU kernel

// [V | 1] per head as one host array [heads, padRows, dv + 1]; padded rows zero.
std::vector<float> valuesWithOnes(const Qkv& qkv, int64_t padRows) {
  const int64_t n = qkv.n(), dv = qkv.dv(), w = dv + 1;
  std::vector<float> out(static_cast<size_t>(qkv.heads() * padRows * w), 0.0f);
  for (int h = 0; h < qkv.heads(); ++h)
    for (int64_t i = 0; i < n; ++i) {
      float* row = out.data() + (h * padRows + i) * w;
      std::copy_n(qkv.v[static_cast<size_t>(h)].row(i).data(), dv, row);
      row[dv] = 1.0f;
    }
  return out;
}

bool performerAccepts(const AttentionSpec& spec, const Shape* shape, std::string* why) {
  const int cc = deviceComputeCapability();
  if (spec.precision != Precision::Fp32 && cc > 0 && cc < 80) {
    *why = std::string("performer in ") + precisionName(spec.precision) + " runs its feature products on tensor cores, which needs compute capability 8.0 (device: " +
           std::to_string(cc / 10) + "." + std::to_string(cc % 10) + ")";
    return false;
  }
  // cuBLAS takes 32-bit sizes and leading dimensions (n rows, m features, dv + 1 columns).
  if (shape && (shape->n > std::numeric_limits<int32_t>::max() || shape->dv >= std::numeric_limits<int32_t>::max())) {
    *why = "performer on cuda: n = " + std::to_string(shape->n) + " or dv = " + std::to_string(shape->dv) + " exceeds cuBLAS's 32-bit sizes";
    return false;
  }
  return true;
}

void check(int status, const char* what) { checkCuda(static_cast<cudaError_t>(status), what); }

class PerformerKernel final : public CudaKernel {
 public:
  AttentionResult run(const AttentionSpec& spec, const Qkv& qkv, const RunOptions& options) const override {
    const int heads = qkv.heads();
    const int64_t n = qkv.n(), d = qkv.d(), dv = qkv.dv(), w = dv + 1;
    const Shape shape{n, d, dv, heads, spec.causal, 1};
    const Variant& variant = VariantRegistry::instance().get("performer");
    variant.validate(spec, shape);
    const int64_t m = spec.params.getInt("features");
    const bool causal = spec.causal;
    const bool low = spec.precision != Precision::Fp32;
    const FlashElement element = spec.precision == Precision::Fp16 ? FlashElement::Fp16 : FlashElement::Bf16;  // when low
    const cudaDataType type16 = element == FlashElement::Fp16 ? CUDA_R_16F : CUDA_R_16BF;
    const int64_t padRows = causal ? (n + kChunk - 1) / kChunk * kChunk : n;
    const int64_t chunks = padRows / kChunk;
    const float halfNorm = 0.5f / std::sqrt(static_cast<float>(d));
    // The cost model counts three feature passes (the CPU draws the key
    // logits twice, once for the shift); this path runs two, and the spans
    // get what runs: 2 of the 3, and the model's mixing term.
    const double featureFlops = heads * 2.0 * 2.0 * static_cast<double>(n) * static_cast<double>(m) * static_cast<double>(d);
    const double mixFlops = variant.cost(spec, shape).flops - 1.5 * featureFlops;

    const std::shared_ptr<const Mat> wHost = performerScaledFeatures(spec, d);
    const std::vector<float> vxHost = valuesWithOnes(qkv, padRows);

    MemoryMeter meter;
    LowRankRun run("performer", options);
    DeviceArray<float> q, keys, vx, wDev, phiQ, phiK, rowMax, shift, states, local, num, o;
    DeviceArray<uint16_t> q16, k16, w16;  // fp16/bf16 only
    run.setup([&] {
      q = uploadHeads(qkv.q, n, &meter);
      keys = uploadHeads(qkv.k, n, &meter);
      vx = DeviceArray<float>(&meter, vxHost.data(), vxHost.size());
      wDev = DeviceArray<float>(&meter, wHost->data(), static_cast<size_t>(wHost->size()));
      phiQ = DeviceArray<float>(&meter, static_cast<size_t>(heads * padRows * m));
      phiK = DeviceArray<float>(&meter, static_cast<size_t>(heads * padRows * m));
      if (padRows > n) {  // padded rows must stay zero: they join the chunk products
        checkCuda(cudaMemset(phiQ.get(), 0, phiQ.bytes()), "cudaMemset");
        checkCuda(cudaMemset(phiK.get(), 0, phiK.bytes()), "cudaMemset");
      }
      rowMax = DeviceArray<float>(&meter, static_cast<size_t>(heads * n));
      shift = DeviceArray<float>(&meter, static_cast<size_t>(heads));
      states = DeviceArray<float>(&meter, static_cast<size_t>(heads * (causal ? chunks : 1) * m * w));
      if (causal) local = DeviceArray<float>(&meter, static_cast<size_t>(heads * chunks * kChunk * kChunk));
      num = DeviceArray<float>(&meter, static_cast<size_t>(heads * padRows * w));
      o = DeviceArray<float>(&meter, static_cast<size_t>(heads * n * dv));
      if (low) {  // W' is a parameter, not an input: converted outside the timing
        q16 = DeviceArray<uint16_t>(&meter, q.size());
        k16 = DeviceArray<uint16_t>(&meter, keys.size());
        w16 = DeviceArray<uint16_t>(&meter, wDev.size());
        check(launchConvertFromFp32(wDev.get(), w16.get(), static_cast<int64_t>(wDev.size()), element, nullptr), "convert W'");
      }
    });
    const int64_t ioBytes = static_cast<int64_t>(q.bytes() + keys.bytes() + static_cast<size_t>(heads * n * dv) * sizeof(float) + o.bytes());

    cublasHandle_t handle = threadCublas();
    const int M = static_cast<int>(m), D = static_cast<int>(d), W = static_cast<int>(w), N = static_cast<int>(n), C = static_cast<int>(kChunk);
    if (low) {
      run.phase(std::string("convert to ") + precisionName(spec.precision), 0.0, [&] {
        // Rounded in place too, so |x|^2 and [V | 1] see the very 16-bit inputs the tensor cores do.
        check(launchRoundInPlace(q.get(), static_cast<int64_t>(q.size()), element, nullptr), "round Q");
        check(launchRoundInPlace(keys.get(), static_cast<int64_t>(keys.size()), element, nullptr), "round K");
        check(launchRoundInPlace(vx.get(), static_cast<int64_t>(vx.size()), element, nullptr), "round V");
        check(launchConvertFromFp32(q.get(), q16.get(), static_cast<int64_t>(q.size()), element, nullptr), "convert Q");
        check(launchConvertFromFp32(keys.get(), k16.get(), static_cast<int64_t>(keys.size()), element, nullptr), "convert K");
      });
    }
    // logits [n x m] = x [n x d] W'^T per head (W' shared: stride 0), into rows [0, n) of each head's padRows.
    const auto logits = [&](const DeviceArray<float>& x, const DeviceArray<uint16_t>& x16, float* out, const char* what) {
      if (low) gemmRowMajor16(handle, type16, false, true, N, M, D, x16.get(), D, n * d, w16.get(), D, 0, 0.0f, out, M, padRows * m, heads, what);
      else gemmRowMajor(handle, false, true, N, M, D, x.get(), D, n * d, wDev.get(), D, 0, 0.0f, out, M, padRows * m, heads, what);
    };
    run.phase("features", featureFlops, [&] {
      logits(q, q16, phiQ.get(), low ? "GemmStridedBatchedEx Q W^T" : "SgemmStridedBatched Q W^T");
      check(launchPerformerRows(phiQ.get(), q.get(), heads, n, padRows, M, D, halfNorm, kQueryFloor, nullptr, nullptr), "performer query features");
      logits(keys, k16, phiK.get(), low ? "GemmStridedBatchedEx K W^T" : "SgemmStridedBatched K W^T");
      check(launchPerformerRows(phiK.get(), keys.get(), heads, n, padRows, M, D, halfNorm, kKeyFloor, rowMax.get(), nullptr), "performer key logits");
      check(launchHeadMax(rowMax.get(), heads, n, shift.get(), nullptr), "performer key stabiliser");
      check(launchKeyFeatures(phiK.get(), heads, n, padRows, M, shift.get(), kKeyFloor, nullptr), "performer key features");
    });
    if (!causal) {
      run.phase("products", mixFlops, [&] {
        // [S | z] [m x (dv + 1)] = phi(K)^T [V | 1], then numerators [n x (dv + 1)] = phi(Q) [S | z].
        gemmRowMajor(handle, true, false, M, W, N, phiK.get(), M, padRows * m, vx.get(), W, padRows * w, 0.0f, states.get(), W, m * w, heads,
                     "SgemmStridedBatched phi(K)^T [V|1]");
        gemmRowMajor(handle, false, false, N, W, M, phiQ.get(), M, padRows * m, states.get(), W, m * w, 0.0f, num.get(), W, padRows * w, heads,
                     "SgemmStridedBatched phi(Q) [S|z]");
        check(launchNormaliseRows(num.get(), heads, n, padRows, static_cast<int>(dv), o.get(), nullptr), "performer normalise");
      });
    } else {
      run.phase("causal chunked scan", mixFlops, [&] {
        // Padding makes every head a whole number of chunks: one uniform stride over heads * chunks.
        const int batch = static_cast<int>(heads * chunks);
        gemmRowMajor(handle, true, false, M, W, C, phiK.get(), M, kChunk * m, vx.get(), W, kChunk * w, 0.0f, states.get(), W, m * w, batch,
                     "SgemmStridedBatched chunk phi(K)^T [V|1]");
        check(launchExclusiveChunkScan(states.get(), heads, chunks, m * w, nullptr), "performer chunk scan");
        gemmRowMajor(handle, false, true, C, C, M, phiQ.get(), M, kChunk * m, phiK.get(), M, kChunk * m, 0.0f, local.get(), C, kChunk * kChunk, batch,
                     "SgemmStridedBatched chunk phi(Q) phi(K)^T");
        check(launchLowerTriangle(local.get(), heads * chunks, C, nullptr), "performer causal mask");
        gemmRowMajor(handle, false, false, C, W, M, phiQ.get(), M, kChunk * m, states.get(), W, m * w, 0.0f, num.get(), W, kChunk * w, batch,
                     "SgemmStridedBatched chunk phi(Q) state");
        gemmRowMajor(handle, false, false, C, W, C, local.get(), C, kChunk * kChunk, vx.get(), W, kChunk * w, 1.0f, num.get(), W, kChunk * w, batch,
                     "SgemmStridedBatched chunk tril [V|1]");
        check(launchNormaliseRows(num.get(), heads, n, padRows, static_cast<int>(dv), o.get(), nullptr), "performer normalise");
      });
    }
    run.finishCompute();

    AttentionResult result;
    std::vector<float> shifts(static_cast<size_t>(heads));
    result.output = run.setup([&] {
      checkCuda(cudaMemcpy(shifts.data(), shift.get(), shifts.size() * sizeof(float), cudaMemcpyDeviceToHost), "copy key stabilisers");
      return downloadHeads(o.get(), heads, n, n, dv);
    });
    result.extras.resize(static_cast<size_t>(heads));
    for (int h = 0; h < heads; ++h) {
      result.extras[static_cast<size_t>(h)].scalars.emplace_back("features", static_cast<double>(m));
      result.extras[static_cast<size_t>(h)].scalars.emplace_back("key_stabiliser", static_cast<double>(shifts[static_cast<size_t>(h)]));
    }
    run.fillResult(result, meter);
    // Device scratch beyond Q, K, V and O: W, the features, [V | 1]'s extra column, the states, the chunk products, 16-bit copies.
    result.peakWorkspaceBytes = std::max<int64_t>(0, meter.peak() - ioBytes);
    return result;
  }
};

}  // namespace

void addPerformerKernel(KernelTable<CudaKernel>& table) { table.add("performer", std::make_shared<PerformerKernel>(), &performerAccepts); }

}  // namespace attnscope::kernels
