// The flash kernels under the CPU emulation, instantiated once for every suite.
#include "emu_flash_runner.hpp"

#include <cmath>
#include <cstring>

#include "common/error.hpp"
#include "flash_fwd_fp32_kernel.cuh"
#include "flash_fwd_mma_kernel.cuh"
#include "flash_fwd_wgmma_kernel.cuh"
#include "flash_layout_host.hpp"
#include "flash_tma_plan.hpp"
#include "block_means_kernel.cuh"
#include "memory_slots_write_kernel.cuh"
#include "relative_features_kernel.cuh"
#include "topk_select_kernel.cuh"

namespace attnscope::testing {

using namespace attnscope::kernels;

namespace {

constexpr unsigned char kGuardByte = 0xA5;
constexpr size_t kGuardFloats = 64;

std::vector<float> packHeads(const std::vector<Mat>& heads) {
  std::vector<float> out;
  for (const Mat& m : heads) out.insert(out.end(), m.data(), m.data() + m.size());
  return out;
}

bool guardIntact(const std::vector<float>& buffer, size_t from) {
  const unsigned char* bytes = reinterpret_cast<const unsigned char*>(buffer.data() + from);
  for (size_t i = 0; i < (buffer.size() - from) * sizeof(float); ++i)
    if (bytes[i] != kGuardByte) return false;
  return true;
}

// fp32 -> 16-bit through the device conversion kernel itself, as the GPU runner does.
std::vector<uint16_t> convert(const std::vector<float>& src, FlashElement e) {
  std::vector<uint16_t> dst(src.size());
  const int64_t count = static_cast<int64_t>(src.size());
  emu::launch(emu::LaunchConfig{dim3(3), dim3(64), 0}, [&] {
    if (e == FlashElement::Bf16) device::convertFromFp32<true>(src.data(), dst.data(), count);
    else device::convertFromFp32<false>(src.data(), dst.data(), count);
  });
  return dst;
}

template <int D, int DV>
const char* launchEmulated(const FlashParams& p, emu::Order order, uint64_t seed, bool allowTma) {
  if constexpr (wgmmaWidthPair(D, DV)) {
    if (flashRunsWgmma(p)) {
      using T = FlashWgmmaTraits<D, DV>;
      const bool bf16 = p.element == FlashElement::Bf16;
      const FlashTmaPlan plan = flashTmaPlan(p, T::kBlockM, T::kBlockN);
      device::FlashTmaMaps maps;
      if (allowTma && plan.keyBoxRows > 0) {
        const auto copy = [](const FlashTmaTensor& t, emu::TensorMap& m) {
          m.base = t.base;
          for (int i = 0; i < 3; ++i) m.dims[i] = t.dims[i], m.box[i] = t.box[i];
          m.strides[0] = t.strides[0];
          m.strides[1] = t.strides[1];
        };
        copy(plan.q, maps.q);
        copy(plan.k, maps.k);
        copy(plan.v, maps.v);
        maps.keyBoxRows = plan.keyBoxRows;
      }
      emu::launch(emu::LaunchConfig{dim3(static_cast<unsigned>(flashGridTiles(p.layout, T::kBlockM)), static_cast<unsigned>(p.heads)), dim3(T::kThreads), T::kSmemBytes, order, seed},
                  [&] {
                    if (bf16) device::flashForwardWgmma<D, DV, true>(p, maps);
                    else device::flashForwardWgmma<D, DV, false>(p, maps);
                  });
      return maps.keyBoxRows > 0 ? "wgmma+tma" : "wgmma";
    }
  }
  if (p.element == FlashElement::Fp32) {
    using T = FlashFp32Traits<D, DV>;
    emu::launch(emu::LaunchConfig{dim3(static_cast<unsigned>(flashGridTiles(p.layout, T::kBlockM)), static_cast<unsigned>(p.heads)), dim3(T::kThreads), T::kSmemBytes, order, seed},
                [&] { device::flashForwardFp32<D, DV>(p); });
    return "fp32";
  } else {
    using T = FlashMmaTraits<D, DV>;
    const bool bf16 = p.element == FlashElement::Bf16;
    emu::launch(emu::LaunchConfig{dim3(static_cast<unsigned>(flashGridTiles(p.layout, T::kBlockM)), static_cast<unsigned>(p.heads)), dim3(T::kThreads), T::kSmemBytes, order, seed},
                [&] {
                  if (bf16) device::flashForwardMma<D, DV, true>(p);
                  else device::flashForwardMma<D, DV, false>(p);
                });
    return "mma";
  }
}

}  // namespace

EmulatedOutput runEmulated(const Qkv& qkv, const std::vector<const BlockLayout*>& layouts, FlashElement element, emu::Order order, uint64_t seed,
                           float scale, FlashPath path, bool allowTma) {
  checkFlashInputs(qkv);
  FlashRequest request;
  request.element = element;
  request.d = static_cast<int>(qkv.d());
  request.dv = static_cast<int>(qkv.dv());
  request.heads = qkv.heads();
  request.n = qkv.n();
  request.nKeys = qkv.k.front().rows();
  for (const BlockLayout* l : layouts) {
    const std::string why = flashSupports(request, *l);
    if (!why.empty()) throw Error(ErrorKind::Unsupported, "flash kernel: " + why);
  }
  const FlashLayoutArrays arrays = buildFlashLayout(layouts);
  FlashParams p;
  p.element = element;
  p.path = path;
  p.heads = request.heads;
  p.n = request.n;
  p.nKeys = request.nKeys;
  p.d = request.d;
  p.dv = request.dv;
  p.scale = scale > 0.0f ? scale : 1.0f / std::sqrt(static_cast<float>(p.d));
  p.layout = hostView(arrays);
  setContiguousStrides(p);

  const std::vector<float> q32 = packHeads(qkv.q), k32 = packHeads(qkv.k), v32 = packHeads(qkv.v);
  std::vector<uint16_t> q16, k16, v16;
  if (element == FlashElement::Fp32) {
    p.q = q32.data();
    p.k = k32.data();
    p.v = v32.data();
  } else {
    q16 = convert(q32, element);
    k16 = convert(k32, element);
    v16 = convert(v32, element);
    p.q = q16.data();
    p.k = k16.data();
    p.v = v16.data();
  }
  const size_t oFloats = static_cast<size_t>(p.heads * p.n * p.dv), lseFloats = static_cast<size_t>(p.heads * p.n);
  std::vector<float> o(oFloats + kGuardFloats), lse(lseFloats + kGuardFloats);
  std::memset(o.data(), kGuardByte, o.size() * sizeof(float));
  std::memset(lse.data(), kGuardByte, lse.size() * sizeof(float));
  p.o = o.data();
  p.lse = lse.data();
  const std::string bad = flashCheckParams(p);
  if (!bad.empty()) throw Error(ErrorKind::InvalidArgument, "flash kernel: " + bad);

  const char* kernel = nullptr;
#define ATTNSCOPE_LAUNCH_EMULATED(D, DV) \
  if (!kernel && p.d == (D) && p.dv == (DV)) kernel = launchEmulated<D, DV>(p, order, seed, allowTma);
  ATTNSCOPE_FLASH_WIDTHS(ATTNSCOPE_LAUNCH_EMULATED)
#undef ATTNSCOPE_LAUNCH_EMULATED
  if (!kernel) throw Error(ErrorKind::Unsupported, "no kernel for d = " + std::to_string(p.d) + ", dv = " + std::to_string(p.dv));

  EmulatedOutput out;
  out.kernel = kernel;
  for (int h = 0; h < p.heads; ++h) {
    Mat m(p.n, p.dv);
    std::memcpy(m.data(), o.data() + static_cast<size_t>(h * p.n * p.dv), static_cast<size_t>(p.n * p.dv) * sizeof(float));
    out.output.push_back(std::move(m));
    out.lse.emplace_back(lse.begin() + h * p.n, lse.begin() + (h + 1) * p.n);
  }
  out.guardsIntact = guardIntact(o, oFloats) && guardIntact(lse, lseFloats);
  o.resize(oFloats);
  out.rawO = std::move(o);
  return out;
}

void runEmulatedSlotWrite(const SlotWriteParams& p, emu::Order order, uint64_t seed) {
  const SlotWriteGrid grid = slotWriteGrid(p);  // the real launch's grid
  if (grid.empty()) return;
  emu::launch(emu::LaunchConfig{dim3(grid.groups, grid.heads), dim3(kSlotWriteThreads), slotWriteSmemBytes(p.d), order, seed},
              [&] { device::memorySlotsWrite(p); });
}

void runEmulatedRelativeFeatures(const RelativeFeatureParams& p, emu::Order order, uint64_t seed) {
  emu::launch(emu::LaunchConfig{dim3(3), dim3(kRelativeFeatureThreads), 0, order, seed}, [&] { device::relativeFeatures(p); });
}

void runEmulatedBlockMeans(const BlockMeansParams& p, emu::Order order, uint64_t seed) {
  if (p.heads < 1 || p.blocks < 1 || p.width < 1) return;
  emu::launch(emu::LaunchConfig{dim3(static_cast<unsigned>(p.blocks), static_cast<unsigned>(p.heads)), dim3(kBlockMeansThreads), 0, order, seed},
              [&] { device::blockMeans(p); });
}

void runEmulatedTopkSelect(const TopkSelectParams& p, emu::Order order, uint64_t seed) {
  if (p.heads < 1 || p.blocks < 1) return;
  emu::launch(emu::LaunchConfig{dim3(static_cast<unsigned>(p.blocks), static_cast<unsigned>(p.heads)), dim3(kTopkSelectThreads), topkSelectSmemBytes(p.blocks), order, seed},
              [&] { device::topkSelect(p); });
}

}  // namespace attnscope::testing
