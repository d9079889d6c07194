#include "lowrank_probe_operator.hpp"

#include "analysis/low_rank_products.hpp"
#include "backend/cpu/thread_pool.hpp"
#include "common/error.hpp"

namespace attnscope::kernels {

namespace {

ThreadPool& poolOf(const ExecContext& ctx) { return ctx.pool ? *ctx.pool : ThreadPool::shared(); }

class LowRankProbeOperator final : public HeadOperator {
 public:
  LowRankProbeOperator(std::unique_ptr<ProbeDevice> device, const AttentionSpec& spec, LowRankFactors factors, const ExecContext& host,
                       HeadExtras extras)
      : device_(std::move(device)),
        spec_(spec),
        host_(host),
        factors_(std::move(factors)),
        extras_(std::move(extras)),
        charge_(host.meter, factors_.bytes()) {
    ProbeDevice& dev = *device_;
    left_ = ProbeBuffer(dev, static_cast<size_t>(factors_.left.size()) * 4);
    right_ = ProbeBuffer(dev, static_cast<size_t>(factors_.right.size()) * 4);
    dev.upload(left_.as<void>(), factors_.left.data(), left_.bytes());
    dev.upload(right_.as<void>(), factors_.right.data(), right_.bytes());
    if (!factors_.rowScale.empty()) {
      scale_ = ProbeBuffer(dev, factors_.rowScale.size() * 4);
      dev.upload(scale_.as<void>(), factors_.rowScale.data(), scale_.bytes());
    }
    base_.left = left_.as<float>();
    base_.right = right_.as<float>();
    base_.rowScale = scale_.as<float>();
    base_.n = factors_.n();
    base_.nKeys = factors_.keys();
    base_.rank = static_cast<int>(factors_.rank());
    base_.causal = factors_.causal;
  }

  int64_t n() const override { return factors_.n(); }
  const AttentionSpec& spec() const override { return spec_; }
  const ExecContext& ctx() const override { return host_; }
  // The map is the device's, the products the host's (see the header); short, as the metrics card shows it.
  std::string device() const override { return device_->name() + " map, cpu products"; }

  void apply(ConstMatRef x, MatRef out) const override { lowRankApply(factors_, x, out, poolOf(host_), host_.cancel); }
  void applyTransposed(ConstMatRef y, MatRef out) const override { lowRankApplyTransposed(factors_, y, out, poolOf(host_), host_.cancel); }
  const HeadExtras* extras() const override { return &extras_; }

  void map(MapGrid& grid) const override {
    host_.checkCancelled();
    LowRankMapParams p = base_;
    copyMapRegion(p, grid);
    const size_t cells = static_cast<size_t>(grid.rows * grid.cols);
    MeterCharge charge(host_.meter, static_cast<int64_t>(8 * cells));  // the downloaded cells
    ProbeDevice& dev = *device_;
    ProbeBuffer sum(dev, cells * 4), mx(dev, cells * 4);
    dev.zero(sum.as<void>(), sum.bytes());
    dev.zero(mx.as<void>(), mx.bytes());
    p.mapSum = sum.as<float>();
    p.mapMax = mx.as<uint32_t>();
    const std::string bad = lowRankMapCheckParams(p);
    if (!bad.empty()) throw Error(ErrorKind::InvalidArgument, bad);
    dev.launch(p);
    std::vector<float> hostSum(cells);
    std::vector<uint32_t> hostMax(cells);
    dev.download(hostSum.data(), sum.as<void>(), sum.bytes());
    dev.download(hostMax.data(), mx.as<void>(), mx.bytes());
    addCellSumsAndMaxima(grid, hostSum.data(), hostMax.data());
  }

 private:
  std::unique_ptr<ProbeDevice> device_;
  AttentionSpec spec_;
  const ExecContext& host_;
  LowRankFactors factors_;
  HeadExtras extras_;
  MeterCharge charge_;  // the host's copy of the factors
  ProbeBuffer left_, right_, scale_;
  LowRankMapParams base_;
};

}  // namespace

std::unique_ptr<HeadOperator> makeLowRankProbeOperator(std::unique_ptr<ProbeDevice> device, const AttentionSpec& spec, LowRankFactors factors,
                                                       const ExecContext& host, HeadExtras extras) {
  return std::make_unique<LowRankProbeOperator>(std::move(device), spec, std::move(factors), host, std::move(extras));
}

std::unique_ptr<HeadOperator> makeDeviceHeadOperator(std::unique_ptr<ProbeDevice> device, const AttentionSpec& spec, const Qkv& qkv, int head,
                                                     const std::vector<std::string>* labels, const ExecContext& host, std::string* why) {
  qkv.checkShapes();
  if (head < 0 || head >= qkv.heads()) throw Error(ErrorKind::InvalidArgument, "operator head " + std::to_string(head) + " out of range");
  // The factors are the CPU kernel's, in fp32 whatever the run's precision
  // (the flash probe's scores are fp32 too).
  AttentionSpec cpuSpec = spec;
  cpuSpec.precision = Precision::Fp32;
  if (const HeadKernel* kernel = findCpuKernel(cpuSpec, nullptr, nullptr)) {
    const size_t h = static_cast<size_t>(head);
    const HeadInput in{qkv.q[h], qkv.k[h], qkv.v[h], labels, head};
    if (std::optional<LowRankFactors> f = kernel->factors(host, cpuSpec, in)) {
      // The extras (k used, feature count, notes) from one host forward: O(n r d), as the factors.
      Mat out(qkv.n(), qkv.dv());
      HeadExtras extras = kernel->apply(host, cpuSpec, in, in.v, out);
      return makeLowRankProbeOperator(std::move(device), spec, std::move(*f), host, std::move(extras));
    }
  }
  return makeFlashProbeOperator(std::move(device), spec, qkv, head, labels, host, why);
}

}  // namespace attnscope::kernels
