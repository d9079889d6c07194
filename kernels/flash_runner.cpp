#include "flash_runner.hpp"

#include <cuda_runtime.h>

#include <algorithm>
#include <cmath>

#include "common/error.hpp"
#include "device_buffer.hpp"
#include "flash_device_layout.hpp"
#include "flash_layout_host.hpp"

namespace attnscope::kernels {

namespace {

constexpr unsigned char kGuardByte = 0xA5;  // not a pattern any kernel writes by accident

// Copies per-head host matrices into one contiguous [heads, rows, cols] device array.
DeviceArray<float> uploadHeads(const std::vector<Mat>& heads, MemoryMeter* meter) {
  const size_t per = static_cast<size_t>(heads.front().size());
  DeviceArray<float> dev(meter, per * heads.size());
  for (size_t h = 0; h < heads.size(); ++h)
    checkCuda(cudaMemcpy(dev.get() + h * per, heads[h].data(), per * sizeof(float), cudaMemcpyHostToDevice), "copy Q/K/V to device");
  return dev;
}

bool guardIntact(const float* devGuard, int64_t floats) {
  if (floats <= 0) return true;
  std::vector<unsigned char> host(static_cast<size_t>(floats) * sizeof(float));
  checkCuda(cudaMemcpy(host.data(), devGuard, host.size(), cudaMemcpyDeviceToHost), "copy guard bytes");
  for (unsigned char b : host)
    if (b != kGuardByte) return false;
  return true;
}

// cudaEvent time of what `launch` puts on the stream (it returns the first
// failure); a failure anywhere becomes an Error naming `what`.
template <typename Launch>
double timedLaunches(FlashStream stream, const char* what, Launch launch) {
  cudaEvent_t start = nullptr, stop = nullptr;
  checkCuda(cudaEventCreate(&start), "cudaEventCreate");
  checkCuda(cudaEventCreate(&stop), "cudaEventCreate");
  cudaError_t status = cudaEventRecord(start, stream);
  if (status == cudaSuccess) status = launch();
  if (status == cudaSuccess) status = cudaEventRecord(stop, stream);
  if (status == cudaSuccess) status = cudaEventSynchronize(stop);
  float ms = 0.0f;
  if (status == cudaSuccess) status = cudaEventElapsedTime(&ms, start, stop);
  cudaEventDestroy(start);
  cudaEventDestroy(stop);
  checkCuda(status, what);
  return static_cast<double>(ms);
}

}  // namespace

FlashRunOutput runFlashForward(const Qkv& qkv, const std::vector<const BlockLayout*>& layouts, const FlashRunOptions& options) {
  checkFlashInputs(qkv);
  if (layouts.empty() || layouts.front() == nullptr) throw Error(ErrorKind::InvalidArgument, "flash forward: no layout");
  if (layouts.size() != 1 && static_cast<int>(layouts.size()) != qkv.heads())
    throw Error(ErrorKind::InvalidArgument, "flash forward: give one layout or one per head");
  int device = 0;
  cudaDeviceProp prop{};
  checkCuda(cudaGetDevice(&device), "cudaGetDevice");
  checkCuda(cudaGetDeviceProperties(&prop, device), "cudaGetDeviceProperties");
  FlashRequest request;
  request.element = options.element;
  request.d = static_cast<int>(qkv.d());
  request.dv = static_cast<int>(qkv.dv());
  request.heads = qkv.heads();
  request.n = qkv.n();
  request.nKeys = qkv.k.front().rows();
  request.computeCapability = prop.major * 10 + prop.minor;
  for (const BlockLayout* l : layouts) {
    const std::string why = flashSupports(request, *l);
    if (!why.empty()) throw Error(ErrorKind::Unsupported, "flash kernel: " + why);
  }

  MemoryMeter* meter = options.meter;
  const int heads = qkv.heads();
  const int64_t n = request.n, nKeys = request.nKeys, d = request.d, dv = request.dv;
  const FlashLayoutArrays arrays = buildFlashLayout(layouts);
  const DeviceFlashLayout layout(arrays, meter);

  FlashParams p;
  p.element = options.element;
  p.path = options.path;
  p.heads = heads;
  p.n = n;
  p.nKeys = nKeys;
  p.d = request.d;
  p.dv = request.dv;
  p.scale = options.scale > 0.0f ? options.scale : 1.0f / std::sqrt(static_cast<float>(d));
  p.layout = layout.view();
  setContiguousStrides(p);

  DeviceArray<float> q32 = uploadHeads(qkv.q, meter), k32 = uploadHeads(qkv.k, meter), v32 = uploadHeads(qkv.v, meter);
  double prepareMs = 0;
  if (options.prepare && options.prepare->run) {
    const FlashDeviceInputs inputs{q32.get(), k32.get(), v32.get(), &p.layout, const_cast<int32_t*>(p.layout.colBlock)};  // the runner owns the layout's arrays
    prepareMs = timedLaunches(options.stream, "prepare the flash inputs", [&] { return static_cast<cudaError_t>(options.prepare->run(inputs, options.stream)); });
    if (options.prepare->readBack) options.prepare->readBack(inputs);
  }
  DeviceArray<uint16_t> q16, k16, v16;
  if (options.element == FlashElement::Fp32) {
    p.q = q32.get();
    p.k = k32.get();
    p.v = v32.get();
  } else {
    q16 = DeviceArray<uint16_t>(meter, q32.size());
    k16 = DeviceArray<uint16_t>(meter, k32.size());
    v16 = DeviceArray<uint16_t>(meter, v32.size());
    checkCuda(static_cast<cudaError_t>(launchConvertFromFp32(q32.get(), q16.get(), static_cast<int64_t>(q32.size()), options.element, options.stream)), "convert Q");
    checkCuda(static_cast<cudaError_t>(launchConvertFromFp32(k32.get(), k16.get(), static_cast<int64_t>(k32.size()), options.element, options.stream)), "convert K");
    checkCuda(static_cast<cudaError_t>(launchConvertFromFp32(v32.get(), v16.get(), static_cast<int64_t>(v32.size()), options.element, options.stream)), "convert V");
    checkCuda(cudaStreamSynchronize(options.stream), "convert Q/K/V");
    q32 = DeviceArray<float>();  // the fp32 copies are no longer needed: free them before the kernel runs
    k32 = DeviceArray<float>();
    v32 = DeviceArray<float>();
    p.q = q16.get();
    p.k = k16.get();
    p.v = v16.get();
  }

  const int64_t guard = std::max<int64_t>(0, options.guardFloats);
  const size_t oFloats = static_cast<size_t>(heads * n * dv), lseFloats = options.computeLse ? static_cast<size_t>(heads * n) : 0;
  DeviceArray<float> o(meter, oFloats + static_cast<size_t>(guard));
  DeviceArray<float> lse(meter, lseFloats ? lseFloats + static_cast<size_t>(guard) : 0);
  checkCuda(cudaMemset(o.get(), kGuardByte, o.bytes()), "cudaMemset");
  if (lseFloats) checkCuda(cudaMemset(lse.get(), kGuardByte, lse.bytes()), "cudaMemset");
  p.o = o.get();
  p.lse = lseFloats ? lse.get() : nullptr;

  const std::string bad = flashCheckParams(p);
  if (!bad.empty()) throw Error(ErrorKind::InvalidArgument, "flash kernel: " + bad);
  const int repeats = std::max(1, options.repeats);
  const double ms = timedLaunches(options.stream, "flash forward kernel", [&] {
    cudaError_t status = cudaSuccess;
    for (int r = 0; r < repeats && status == cudaSuccess; ++r) status = static_cast<cudaError_t>(launchFlashForward(p, options.stream));
    return status;
  });

  FlashRunOutput out;
  out.kernelMs = ms / repeats;
  out.prepareMs = prepareMs;
  out.layoutBytes = arrays.bytes();
  out.path = resolvedFlashPath(p);
  out.tma = out.path == FlashPath::Wgmma && flashWgmmaLoadsByTma(p);
  for (int h = 0; h < heads; ++h) {
    Mat m(n, dv);
    checkCuda(cudaMemcpy(m.data(), o.get() + static_cast<size_t>(h * n * dv), static_cast<size_t>(n * dv) * sizeof(float), cudaMemcpyDeviceToHost), "copy O");
    out.output.push_back(std::move(m));
    if (lseFloats) {
      std::vector<float> row(static_cast<size_t>(n));
      checkCuda(cudaMemcpy(row.data(), lse.get() + static_cast<size_t>(h * n), row.size() * sizeof(float), cudaMemcpyDeviceToHost), "copy LSE");
      out.lse.push_back(std::move(row));
    }
  }
  out.guardsIntact = guardIntact(o.get() + oFloats, guard) && (!lseFloats || guardIntact(lse.get() + lseFloats, guard));
  return out;
}

}  // namespace attnscope::kernels
