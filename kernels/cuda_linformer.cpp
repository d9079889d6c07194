// linformer on CUDA (meaning in core/attention/variants/linformer.cpp):
// A = softmax(s Q (E K)^T) F, so O = softmax(s Q (E K)^T) (F V).
//
// Device: E K and F V for all heads through cuBLAS strided batched SGEMM
// (E, F shared by the heads), then the block-sparse flash kernel on the k
// projected keys with an implicit dense layout of n queries x k keys (fp32,
// or fp16/bf16 on tensor cores after converting Q, E K and F V).
// Host: E and F drawn entry by entry from linformer::Projection::fill (the
// very numbers the CPU uses) and uploaded. Drawing them on the device with
// the same counter-based formula would save the upload; host drawing is the
// first step. Both stay out of the timed region, and the host matrices are
// kept per (stream key, n, k), like the CPU's cache.
#include <cuda_runtime.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <mutex>
#include <vector>

#include "attention/registry.hpp"
#include "attention/variants/linformer_projection.hpp"
#include "backend/cpu/thread_pool.hpp"
#include "common/error.hpp"
#include "cublas_util.hpp"
#include "cuda_lowrank.hpp"
#include "cuda_lowrank_run.hpp"
#include "flash_device_layout.hpp"
#include "flash_layout_host.hpp"

namespace attnscope::kernels {

namespace {

using linformer::Projection;
using linformer::projectionOf;

// Tile edge of the n x k dense layout. Any edge >= 1 is valid; 64 is a
// multiple of both flash query tiles (fp32: 32 rows, mma: 64), so no query
// tile idles. A first choice, not measured.
constexpr int64_t kLayoutBlock = 64;

// Kept host matrices: up to this many floats each (k = 64 up to n = 131072), this many of them.
constexpr int64_t kCachedFloats = int64_t{1} << 23;
constexpr size_t kCacheEntries = 4;
constexpr int64_t kRowBlock = 16, kTokenChunk = 4096;  // host drawing in parallel blocks

FlashElement elementOf(Precision p) {
  return p == Precision::Fp16 ? FlashElement::Fp16 : p == Precision::Bf16 ? FlashElement::Bf16 : FlashElement::Fp32;
}

// E (valueSide false) or F as a [k x n] host matrix; mean pooling gives the
// explicit averaging matrix, so both kinds run through the same GEMM.
std::shared_ptr<const Mat> projectionMatrix(const Projection& p, bool valueSide) {
  struct Entry {
    uint64_t stream;
    int64_t n, k;
    bool meanPool;
    std::shared_ptr<const Mat> matrix;
  };
  static std::mutex mutex;
  static std::vector<Entry> entries;  // least recently used first
  const uint64_t stream = p.streamKey(valueSide);
  const bool keep = p.k * p.n <= kCachedFloats;
  {
    std::lock_guard<std::mutex> lock(mutex);
    for (auto it = entries.begin(); it != entries.end(); ++it)
      if (it->stream == stream && it->n == p.n && it->k == p.k && it->meanPool == p.meanPool) {
        Entry hit = *it;
        entries.erase(it);
        entries.push_back(hit);
        return hit.matrix;
      }
  }
  auto m = std::make_shared<Mat>(p.k, p.n);
  const int64_t chunks = (p.n + kTokenChunk - 1) / kTokenChunk;
  ThreadPool::shared().parallelFor(0, (p.k + kRowBlock - 1) / kRowBlock * chunks, [&](int64_t t, int) {
    const int64_t r0 = (t / chunks) * kRowBlock, j0 = (t % chunks) * kTokenChunk;
    p.fill(valueSide, r0, std::min(kRowBlock, p.k - r0), j0, std::min(kTokenChunk, p.n - j0), m->data() + r0 * p.n + j0, p.n);
  });
  if (keep) {
    std::lock_guard<std::mutex> lock(mutex);
    if (entries.size() >= kCacheEntries) entries.erase(entries.begin());
    entries.push_back(Entry{stream, p.n, p.k, p.meanPool, m});
  }
  return m;
}

bool linformerAccepts(const AttentionSpec& spec, const Shape* shape, std::string* why) {
  if (spec.causal) {
    *why = "linformer has no causal form (its projections E K and F V mix every position, later ones included)";
    return false;
  }
  const int cc = deviceComputeCapability();
  if (spec.precision != Precision::Fp32 && cc > 0 && cc < 80) {
    *why = std::string("linformer in ") + precisionName(spec.precision) + " runs the flash kernel on tensor cores, which needs compute capability 8.0 (device: " +
           std::to_string(cc / 10) + "." + std::to_string(cc % 10) + ")";
    return false;
  }
  if (shape) {
    if (!flashHeadWidthSupported(static_cast<int>(shape->d))) {
      *why = "linformer on cuda runs the flash kernel on the projected keys: head widths 32, 64 and 128 (got d = " + std::to_string(shape->d) + ")";
      return false;
    }
    if (shape->dv != shape->d) {
      *why = "linformer on cuda needs dv = d for the flash kernel (got d = " + std::to_string(shape->d) + ", dv = " + std::to_string(shape->dv) + ")";
      return false;
    }
  }
  return true;
}

class LinformerKernel final : public CudaKernel {
 public:
  AttentionResult run(const AttentionSpec& spec, const Qkv& qkv, const RunOptions& options) const override {
    const int heads = qkv.heads();
    const int64_t n = qkv.n(), d = qkv.d(), dv = qkv.dv();
    const Shape shape{n, d, dv, heads, spec.causal, 1};
    const Variant& variant = VariantRegistry::instance().get("linformer");
    variant.validate(spec, shape);
    const Projection p = projectionOf(spec, n);
    const int64_t k = p.k;

    BlockLayout layout;  // every query attends every projected key
    layout.n = n;
    layout.nKeys = k;
    layout.block = kLayoutBlock;
    layout.implicitDense = true;
    FlashRequest request;
    request.element = elementOf(spec.precision);
    request.d = static_cast<int>(d);
    request.dv = static_cast<int>(dv);
    request.heads = heads;
    request.n = n;
    request.nKeys = k;
    request.computeCapability = deviceComputeCapability();
    if (const std::string why = flashSupports(request, layout); !why.empty()) throw Error(ErrorKind::Unsupported, "linformer on cuda: " + why);

    // The cost model's two terms, for the two phases.
    const double attentionFlops = heads * 2.0 * static_cast<double>(n) * static_cast<double>(k) * static_cast<double>(d + dv);
    const double projectionFlops = variant.cost(spec, shape).flops - attentionFlops;

    const std::shared_ptr<const Mat> e = projectionMatrix(p, false);
    const std::shared_ptr<const Mat> f = p.shared ? e : projectionMatrix(p, true);

    MemoryMeter meter;
    LowRankRun run("linformer", options);
    const bool low = request.element != FlashElement::Fp32;
    DeviceArray<float> q, keys, values, eDev, fDev, ek, fv, o;
    DeviceArray<uint16_t> q16, ek16, fv16;
    std::unique_ptr<DeviceFlashLayout> deviceLayout;
    run.setup([&] {
      q = uploadHeads(qkv.q, n, &meter);
      keys = uploadHeads(qkv.k, n, &meter);
      values = uploadHeads(qkv.v, n, &meter);
      eDev = DeviceArray<float>(&meter, e->data(), static_cast<size_t>(k * n));
      if (!p.shared) fDev = DeviceArray<float>(&meter, f->data(), static_cast<size_t>(k * n));
      ek = DeviceArray<float>(&meter, static_cast<size_t>(heads * k * d));
      fv = DeviceArray<float>(&meter, static_cast<size_t>(heads * k * dv));
      o = DeviceArray<float>(&meter, static_cast<size_t>(heads * n * dv));
      if (low) {
        q16 = DeviceArray<uint16_t>(&meter, q.size());
        ek16 = DeviceArray<uint16_t>(&meter, ek.size());
        fv16 = DeviceArray<uint16_t>(&meter, fv.size());
      }
      deviceLayout = std::make_unique<DeviceFlashLayout>(buildFlashLayout(layout), &meter);
    });
    const int64_t ioBytes = static_cast<int64_t>(q.bytes() + keys.bytes() + values.bytes() + o.bytes());

    cublasHandle_t handle = threadCublas();
    const float* fPtr = p.shared ? eDev.get() : fDev.get();
    run.phase("projections E K, F V", projectionFlops, [&] {
      // Per head [k x d] = E [k x n] K_h [n x d]; E is shared (stride 0).
      gemmRowMajor(handle, false, false, static_cast<int>(k), static_cast<int>(d), static_cast<int>(n), eDev.get(), static_cast<int>(n), 0, keys.get(),
                   static_cast<int>(d), n * d, 0.0f, ek.get(), static_cast<int>(d), k * d, heads, "SgemmStridedBatched E K");
      gemmRowMajor(handle, false, false, static_cast<int>(k), static_cast<int>(dv), static_cast<int>(n), fPtr, static_cast<int>(n), 0, values.get(),
                   static_cast<int>(dv), n * dv, 0.0f, fv.get(), static_cast<int>(dv), k * dv, heads, "SgemmStridedBatched F V");
    });
    if (low) {
      // Part of the forward at this precision: E K and F V are made by this run.
      run.phase(std::string("convert to ") + precisionName(spec.precision), 0.0, [&] {
        checkCuda(static_cast<cudaError_t>(launchConvertFromFp32(q.get(), q16.get(), static_cast<int64_t>(q.size()), request.element, nullptr)), "convert Q");
        checkCuda(static_cast<cudaError_t>(launchConvertFromFp32(ek.get(), ek16.get(), static_cast<int64_t>(ek.size()), request.element, nullptr)),
                  "convert E K");
        checkCuda(static_cast<cudaError_t>(launchConvertFromFp32(fv.get(), fv16.get(), static_cast<int64_t>(fv.size()), request.element, nullptr)),
                  "convert F V");
      });
    }
    FlashParams params;
    params.element = request.element;
    params.q = low ? static_cast<const void*>(q16.get()) : q.get();
    params.k = low ? static_cast<const void*>(ek16.get()) : ek.get();
    params.v = low ? static_cast<const void*>(fv16.get()) : fv.get();
    params.o = o.get();
    params.heads = heads;
    params.n = n;
    params.nKeys = k;
    params.d = static_cast<int>(d);
    params.dv = static_cast<int>(dv);
    params.scale = 1.0f / std::sqrt(static_cast<float>(d));
    params.layout = deviceLayout->view();
    setContiguousStrides(params);
    if (const std::string bad = flashCheckParams(params); !bad.empty()) throw Error(ErrorKind::InvalidArgument, "linformer on cuda: flash kernel: " + bad);
    run.phase("flash on k keys", attentionFlops,
              [&] { checkCuda(static_cast<cudaError_t>(launchFlashForward(params, nullptr)), "flash forward on the projected keys"); });
    run.finishCompute();

    AttentionResult result;
    result.output = run.setup([&] { return downloadHeads(o.get(), heads, n, n, dv); });
    result.extras.resize(static_cast<size_t>(heads));
    for (HeadExtras& x : result.extras) {
      x.scalars.emplace_back("k_effective", static_cast<double>(k));
      if (!p.meanPool) x.notes.push_back("gaussian F: rows of the map need not be non-negative or sum to 1 (A = softmax(s Q (E K)^T) F)");
      if (k < spec.params.getInt("k"))
        x.notes.push_back("k = " + std::to_string(spec.params.getInt("k")) + " exceeds n = " + std::to_string(n) + "; used k = " + std::to_string(k));
    }
    run.fillResult(result, meter);
    // Device scratch beyond Q, K, V and O: E, F, E K, F V, their 16-bit copies.
    result.peakWorkspaceBytes = std::max<int64_t>(0, meter.peak() - ioBytes);
    return result;
  }
};

}  // namespace

void addLinformerKernel(KernelTable<CudaKernel>& table) { table.add("linformer", std::make_shared<LinformerKernel>(), &linformerAccepts); }

}  // namespace attnscope::kernels
