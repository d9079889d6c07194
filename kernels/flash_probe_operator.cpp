#include "flash_probe_operator.hpp"

#include <cmath>

#include "attention/mask_variant.hpp"
#include "attention/registry.hpp"
#include "common/error.hpp"
#include "flash_layout_host.hpp"

namespace attnscope::kernels {

namespace {

template <typename T>
ProbeBuffer uploaded(ProbeDevice& device, const std::vector<T>& host) {
  ProbeBuffer b(device, host.size() * sizeof(T));
  if (!host.empty()) device.upload(b.as<void>(), host.data(), b.bytes());
  return b;
}

class FlashProbeOperator final : public HeadOperator {
 public:
  FlashProbeOperator(std::unique_ptr<ProbeDevice> device, const AttentionSpec& spec, const BlockLayout& layout, ConstMatRef q, ConstMatRef k,
                     const ExecContext& host)
      : device_(std::move(device)), spec_(spec), host_(host) {
    ProbeDevice& dev = *device_;
    const FlashLayoutArrays arrays = buildFlashLayout(layout);
    rowStart_ = uploaded(dev, arrays.rowStart);
    colBlock_ = uploaded(dev, arrays.colBlock);
    kind_ = uploaded(dev, arrays.kind);
    bitsOffset_ = uploaded(dev, arrays.bitsOffset);
    bits_ = uploaded(dev, arrays.bits);
    globalRow_ = uploaded(dev, arrays.globalRow);
    globalCol_ = uploaded(dev, arrays.globalCol);
    FlashLayoutView view = arrays.scalars;
    view.rowStart = rowStart_.as<int64_t>();
    view.colBlock = colBlock_.as<int32_t>();
    view.kind = kind_.as<uint8_t>();
    view.bitsOffset = bitsOffset_.as<int64_t>();
    view.bits = bits_.as<uint64_t>();
    view.globalRow = globalRow_.as<uint8_t>();
    view.globalCol = globalCol_.as<uint8_t>();

    q_ = ProbeBuffer(dev, static_cast<size_t>(q.size()) * 4);
    k_ = ProbeBuffer(dev, static_cast<size_t>(k.size()) * 4);
    dev.upload(q_.as<void>(), q.data(), q_.bytes());
    dev.upload(k_.as<void>(), k.data(), k_.bytes());
    lse_ = ProbeBuffer(dev, static_cast<size_t>(q.rows()) * 4);

    base_.q = q_.as<float>();
    base_.k = k_.as<float>();
    base_.n = q.rows();
    base_.nKeys = k.rows();
    base_.d = static_cast<int>(q.cols());
    base_.scale = 1.0f / std::sqrt(static_cast<float>(q.cols()));  // as the CPU's block-sparse kernel
    base_.lse = lse_.as<float>();
    base_.layout = view;
    FlashProbeParams p = base_;
    p.mode = ProbeMode::Lse;
    launch(p);
  }

  int64_t n() const override { return base_.n; }
  const AttentionSpec& spec() const override { return spec_; }
  const ExecContext& ctx() const override { return host_; }
  std::string device() const override { return device_->name(); }

  void apply(ConstMatRef x, MatRef out) const override { product(ProbeMode::Apply, x, base_.nKeys, out, base_.n); }
  void applyTransposed(ConstMatRef y, MatRef out) const override { product(ProbeMode::ApplyTransposed, y, base_.n, out, base_.nKeys); }

  void map(MapGrid& grid) const override {
    host_.checkCancelled();
    const size_t cells = static_cast<size_t>(grid.rows * grid.cols);
    ProbeDevice& dev = *device_;
    ProbeBuffer sum(dev, cells * 4), mx(dev, cells * 4), count(dev, cells * 8);
    for (const ProbeBuffer* b : {&sum, &mx, &count}) dev.zero(b->as<void>(), b->bytes());
    FlashProbeParams p = base_;
    setProbeRegion(p, grid);
    p.mapSum = sum.as<float>();
    p.mapMax = mx.as<uint32_t>();
    p.mapCount = count.as<unsigned long long>();
    launch(p);
    std::vector<float> hostSum(cells);
    std::vector<uint32_t> hostMax(cells);
    std::vector<unsigned long long> hostCount(cells);
    MeterCharge charge(host_.meter, static_cast<int64_t>(cells * 16));
    dev.download(hostSum.data(), sum.as<void>(), sum.bytes());
    dev.download(hostMax.data(), mx.as<void>(), mx.bytes());
    dev.download(hostCount.data(), count.as<void>(), count.bytes());
    addProbeCells(grid, hostSum.data(), hostMax.data(), hostCount.data());
  }

 private:
  void launch(const FlashProbeParams& p) const {
    const std::string bad = probeCheckParams(p);
    if (!bad.empty()) throw Error(ErrorKind::InvalidArgument, bad);
    device_->launch(p);
  }

  // out [outRows x c] = (A or A^T) x, x [xRows x c].
  void product(ProbeMode mode, ConstMatRef x, int64_t xRows, MatRef out, int64_t outRows) const {
    host_.checkCancelled();
    if (x.rows() != xRows || out.rows() != outRows || out.cols() != x.cols())
      throw Error(ErrorKind::InvalidArgument, "operator product: x is " + std::to_string(x.rows()) + " x " + std::to_string(x.cols()) + ", out " +
                                                  std::to_string(out.rows()) + " x " + std::to_string(out.cols()) + " for n = " + std::to_string(base_.n));
    if (x.cols() == 0) return;
    ProbeDevice& dev = *device_;
    // Row-major and contiguous on the host (a Ref may have an outer stride).
    const Mat xHost = x;
    ProbeBuffer xs(dev, static_cast<size_t>(xHost.size()) * 4), outs(dev, static_cast<size_t>(outRows * x.cols()) * 4);
    dev.upload(xs.as<void>(), xHost.data(), xs.bytes());
    dev.zero(outs.as<void>(), outs.bytes());
    FlashProbeParams p = base_;
    p.mode = mode;
    p.x = xs.as<float>();
    p.out = outs.as<float>();
    p.columns = x.cols();
    launch(p);
    Mat result(outRows, x.cols());
    dev.download(result.data(), outs.as<void>(), outs.bytes());
    out = result;
  }

  std::unique_ptr<ProbeDevice> device_;
  AttentionSpec spec_;
  const ExecContext& host_;
  ProbeBuffer rowStart_, colBlock_, kind_, bitsOffset_, bits_, globalRow_, globalCol_;
  ProbeBuffer q_, k_, lse_;
  FlashProbeParams base_;
};

}  // namespace

std::unique_ptr<HeadOperator> makeFlashProbeOperator(std::unique_ptr<ProbeDevice> device, const AttentionSpec& spec, const Qkv& qkv, int head,
                                                     const std::vector<std::string>* labels, const ExecContext& host, std::string* why) {
  qkv.checkShapes();
  if (head < 0 || head >= qkv.heads()) throw Error(ErrorKind::InvalidArgument, "operator head " + std::to_string(head) + " out of range");
  const size_t h = static_cast<size_t>(head);
  const HeadInput in{qkv.q[h], qkv.k[h], qkv.v[h], labels, head};
  const Shape shape = shapeOf(in, spec.causal);
  const Variant& variant = VariantRegistry::instance().get(spec.variant);
  const std::optional<BlockLayout> layout = variant.layout(spec, shape, &in);
  std::string reason;
  if (!layout) reason = spec.variant + "'s A is not a masked softmax over the sequence's keys, so it is formed on the cpu";
  else if (layout->nKeys != qkv.n()) reason = spec.variant + "'s layout reaches keys beyond the sequence, so its A is formed on the cpu";
  else return std::make_unique<FlashProbeOperator>(std::move(device), spec, *layout, in.q, in.k, host);
  if (why) *why = device->name() + ": " + reason;
  return nullptr;
}

}  // namespace attnscope::kernels
