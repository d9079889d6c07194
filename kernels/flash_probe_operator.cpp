#include "flash_probe_operator.hpp"

#include <algorithm>
#include <cmath>

#include "attention/mask_variant.hpp"
#include "attention/registry.hpp"
#include "attention/variants/transformer_xl.hpp"
#include "common/error.hpp"
#include "flash_layout_host.hpp"
#include "hierarchical_flash.hpp"
#include "memory_slots_flash.hpp"
#include "transformer_xl_flash.hpp"

namespace attnscope::kernels {

namespace {

// The same cap on layout bytes as the hierarchical forward (cuda_hierarchical.cpp).
constexpr int64_t kMaxHierarchicalLayoutBytes = int64_t{256} << 20;

template <typename T>
ProbeBuffer uploaded(ProbeDevice& device, const std::vector<T>& host) {
  ProbeBuffer b(device, host.size() * sizeof(T));
  if (!host.empty()) device.upload(b.as<void>(), host.data(), b.bytes());
  return b;
}

// Q, K and the layout on the device, and the rows' log-sum-exps (the first pass).
class ProbeState {
 public:
  ProbeState(ProbeDevice& dev, const ProbeInputs& in) : dev_(dev) {
    const FlashLayoutArrays arrays = buildFlashLayout(in.layout);
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

    q_ = ProbeBuffer(dev, static_cast<size_t>(in.q.size()) * 4);
    k_ = ProbeBuffer(dev, static_cast<size_t>(in.k.size()) * 4);
    dev.upload(q_.as<void>(), in.q.data(), q_.bytes());
    dev.upload(k_.as<void>(), in.k.data(), k_.bytes());
    lse_ = ProbeBuffer(dev, static_cast<size_t>(in.q.rows()) * 4);

    base.q = q_.as<float>();
    base.k = k_.as<float>();
    base.n = in.q.rows();
    base.nKeys = in.k.rows();
    base.d = static_cast<int>(in.q.cols());
    base.scale = in.scale;
    base.lse = lse_.as<float>();
    base.layout = view;
    base.spreadStart = in.spreadStart;
    base.spreadBlock = in.spreadBlock;
    base.tokens = in.tokens();
    FlashProbeParams p = base;
    p.mode = ProbeMode::Lse;
    launch(p);
  }

  void launch(const FlashProbeParams& p) const {
    const std::string bad = probeCheckParams(p);
    if (!bad.empty()) throw Error(ErrorKind::InvalidArgument, bad);
    dev_.launch(p);
  }

  std::vector<float> rowLse() const {
    std::vector<float> out(static_cast<size_t>(base.n));
    dev_.download(out.data(), lse_.as<void>(), lse_.bytes());
    return out;
  }

  FlashProbeParams base;

 private:
  ProbeDevice& dev_;
  ProbeBuffer rowStart_, colBlock_, kind_, bitsOffset_, bits_, globalRow_, globalCol_;
  ProbeBuffer q_, k_, lse_;
};

class FlashProbeOperator final : public HeadOperator {
 public:
  FlashProbeOperator(std::unique_ptr<ProbeDevice> device, const AttentionSpec& spec, ProbeInputs in, const ExecContext& host)
      : device_(std::move(device)), spec_(spec), host_(host), state_(*device_, in) {}

  int64_t n() const override { return state_.base.n; }
  const AttentionSpec& spec() const override { return spec_; }
  const ExecContext& ctx() const override { return host_; }
  std::string device() const override { return device_->name(); }

  void apply(ConstMatRef x, MatRef out) const override {
    checkProduct(x, out);
    if (x.cols() == 0) return;
    const Mat extended = extendedX(x);
    const Mat r = product(ProbeMode::Apply, extended, state_.base.n);
    out = r;
  }

  void applyTransposed(ConstMatRef y, MatRef out) const override {
    checkProduct(y, out);
    if (y.cols() == 0) return;
    const Mat r = product(ProbeMode::ApplyTransposed, y, state_.base.nKeys);
    out = r.topRows(n());
    // A summary's row goes, shared equally, to its block's tokens.
    forEachSummary([&](int64_t key, int64_t lo, int64_t hi) {
      for (int64_t j = lo; j < hi; ++j) out.row(j) += r.row(key) / static_cast<float>(hi - lo);
    });
  }

  void map(MapGrid& grid) const override {
    host_.checkCancelled();
    const size_t cells = static_cast<size_t>(grid.rows * grid.cols);
    ProbeDevice& dev = *device_;
    const ProbeBuffer& sum = scratch(mapSum_, cells * 4);
    const ProbeBuffer& mx = scratch(mapMax_, cells * 4);
    const ProbeBuffer& count = scratch(mapCount_, cells * 8);
    for (const ProbeBuffer* b : {&sum, &mx, &count}) dev.zero(b->as<void>(), cells * (b == &count ? 8 : 4));
    FlashProbeParams p = state_.base;
    setProbeRegion(p, grid);
    p.mapSum = sum.as<float>();
    p.mapMax = mx.as<uint32_t>();
    p.mapCount = count.as<unsigned long long>();
    state_.launch(p);
    std::vector<float> hostSum(cells);
    std::vector<uint32_t> hostMax(cells);
    std::vector<unsigned long long> hostCount(cells);
    MeterCharge charge(host_.meter, static_cast<int64_t>(cells * 16));
    dev.download(hostSum.data(), sum.as<void>(), cells * 4);
    dev.download(hostMax.data(), mx.as<void>(), cells * 4);
    dev.download(hostCount.data(), count.as<void>(), cells * 8);
    addProbeCells(grid, hostSum.data(), hostMax.data(), hostCount.data());
  }

 private:
  void checkProduct(ConstMatRef x, MatRef out) const {
    host_.checkCancelled();
    if (x.rows() != n() || out.rows() != n() || out.cols() != x.cols())
      throw Error(ErrorKind::InvalidArgument, "operator product: x is " + std::to_string(x.rows()) + " x " + std::to_string(x.cols()) + ", out " +
                                                  std::to_string(out.rows()) + " x " + std::to_string(out.cols()) + " for n = " + std::to_string(n()));
  }

  // x on the layout's keys: token rows, zero padding, then each summary's block mean.
  Mat extendedX(ConstMatRef x) const {
    Mat e = Mat::Zero(state_.base.nKeys, x.cols());
    e.topRows(n()) = x;
    forEachSummary([&](int64_t key, int64_t lo, int64_t hi) { e.row(key) = x.middleRows(lo, hi - lo).cast<double>().colwise().mean().cast<float>(); });
    return e;
  }

  // f(key, lo, hi) for each summary key and the tokens [lo, hi) it stands for
  // (the kernel's summaryRange); none where every key is a token.
  template <typename F>
  void forEachSummary(F&& f) const {
    const FlashProbeParams& p = state_.base;
    if (p.spreadStart < 0) return;
    for (int64_t key = p.spreadStart; key < p.nKeys; ++key) {
      const int64_t lo = (key - p.spreadStart) * p.spreadBlock;
      f(key, lo, std::min(p.tokens, lo + p.spreadBlock));
    }
  }

  // (A or A^T) x on the device: [outRows x c].
  Mat product(ProbeMode mode, const Mat& x, int64_t outRows) const {
    ProbeDevice& dev = *device_;
    const size_t xBytes = static_cast<size_t>(x.size()) * 4, outBytes = static_cast<size_t>(outRows * x.cols()) * 4;
    const ProbeBuffer& xs = scratch(x_, xBytes);
    const ProbeBuffer& outs = scratch(out_, outBytes);
    dev.upload(xs.as<void>(), x.data(), xBytes);
    dev.zero(outs.as<void>(), outBytes);
    FlashProbeParams p = state_.base;
    p.mode = mode;
    p.x = xs.as<float>();
    p.out = outs.as<float>();
    p.columns = x.cols();
    state_.launch(p);
    Mat result(outRows, x.cols());
    dev.download(result.data(), outs.as<void>(), outBytes);
    return result;
  }

  // Device scratch kept between calls (a metrics pass maps the head in a
  // thousand stripes), grown when a call needs more.
  const ProbeBuffer& scratch(ProbeBuffer& buffer, size_t bytes) const {
    if (buffer.bytes() < bytes) {
      buffer = ProbeBuffer();  // release first: old and new need not fit together
      buffer = ProbeBuffer(*device_, bytes);
    }
    return buffer;
  }

  std::unique_ptr<ProbeDevice> device_;
  AttentionSpec spec_;
  const ExecContext& host_;
  ProbeState state_;
  mutable ProbeBuffer mapSum_, mapMax_, mapCount_, x_, out_;
};

Qkv oneHead(const Qkv& qkv, size_t h) {
  Qkv one;
  one.q.push_back(qkv.q[h]);
  one.k.push_back(qkv.k[h]);
  one.v.push_back(qkv.v[h]);
  return one;
}

}  // namespace

std::optional<ProbeInputs> flashProbeInputs(const AttentionSpec& spec, const Qkv& qkv, int head, const std::vector<std::string>* labels, std::string* why) {
  qkv.checkShapes();
  if (head < 0 || head >= qkv.heads()) throw Error(ErrorKind::InvalidArgument, "operator head " + std::to_string(head) + " out of range");
  const size_t h = static_cast<size_t>(head);
  const int64_t n = qkv.n();
  const float tokenScale = 1.0f / std::sqrt(static_cast<float>(qkv.d()));  // as the CPU's kernels, also at width 2d
  const auto refuse = [&](const std::string& reason) -> std::optional<ProbeInputs> {
    if (why) *why = reason;
    return std::nullopt;
  };

  if (spec.variant == "transformer_xl") {
    const transformer_xl::XlShape x = transformer_xl::xlShapeOf(spec, n);
    if (x.relative && qkv.d() % 2 != 0) return refuse("relative transformer_xl needs an even head width on the gpu");
    const Qkv one = oneHead(qkv, h);
    const Qkv features = x.relative ? withRelativeFeatures(one) : one;
    return ProbeInputs{features.q.front(), features.k.front(), transformer_xl::xlLayout(x), tokenScale};
  }
  if (spec.variant == "hierarchical") {
    const HierarchicalKeys keys = hierarchicalKeys(spec, n);
    const std::string reason = hierarchicalFlashSupports(keys, spec.causal, kMaxHierarchicalLayoutBytes);
    if (!reason.empty()) return refuse(reason);
    const Qkv ext = withBlockSummaries(oneHead(qkv, h), keys);
    return ProbeInputs{ext.q.front(), ext.k.front(), hierarchicalFlashLayout(keys, spec.causal), tokenScale, keys.summaryStart(), keys.b};
  }

  const HeadInput in{qkv.q[h], qkv.k[h], qkv.v[h], labels, head};
  const Variant& variant = VariantRegistry::instance().get(spec.variant);
  std::optional<BlockLayout> layout = variant.layout(spec, shapeOf(in, spec.causal), &in);
  if (!layout) return refuse(spec.variant + "'s A is not a masked softmax over the sequence's keys, so it is formed on the cpu");
  if (layout->nKeys != n) return refuse(spec.variant + "'s layout reaches keys beyond the sequence, so its A is formed on the cpu");
  return ProbeInputs{qkv.q[h], qkv.k[h], std::move(*layout), tokenScale};
}

std::unique_ptr<HeadOperator> makeFlashProbeOperator(std::unique_ptr<ProbeDevice> device, const AttentionSpec& spec, ProbeInputs inputs,
                                                     const ExecContext& host) {
  return std::make_unique<FlashProbeOperator>(std::move(device), spec, std::move(inputs), host);
}

std::unique_ptr<HeadOperator> makeFlashProbeOperator(std::unique_ptr<ProbeDevice> device, const AttentionSpec& spec, const Qkv& qkv, int head,
                                                     const std::vector<std::string>* labels, const ExecContext& host, std::string* why) {
  std::string reason;
  std::optional<ProbeInputs> inputs = flashProbeInputs(spec, qkv, head, labels, &reason);
  if (!inputs) {
    if (why) *why = device->name() + ": " + reason;
    return nullptr;
  }
  return makeFlashProbeOperator(std::move(device), spec, std::move(*inputs), host);
}

std::vector<float> flashProbeRowLse(ProbeDevice& device, const ProbeInputs& inputs) { return ProbeState(device, inputs).rowLse(); }

std::vector<float> flashProbeKeyMass(ProbeDevice& device, const ProbeInputs& inputs, int64_t keyFrom) {
  const ProbeState state(device, inputs);
  const int64_t keys = inputs.k.rows(), n = inputs.q.rows();
  std::vector<float> indicator(static_cast<size_t>(keys), 0.0f), mass(static_cast<size_t>(n));
  std::fill(indicator.begin() + std::clamp<int64_t>(keyFrom, 0, keys), indicator.end(), 1.0f);
  ProbeBuffer x = uploaded(device, indicator), out(device, mass.size() * 4);
  device.zero(out.as<void>(), out.bytes());
  FlashProbeParams p = state.base;
  p.mode = ProbeMode::Apply;
  p.x = x.as<float>();
  p.out = out.as<float>();
  p.columns = 1;
  state.launch(p);
  device.download(mass.data(), out.as<void>(), out.bytes());
  return mass;
}

std::vector<double> memorySlotsMemoryMass(ProbeDevice& device, const AttentionSpec& spec, const Mat& q, const Mat& extendedK) {
  const SlotKeys keys = slotKeysFor(spec, q.rows());
  if (extendedK.rows() != keys.keys() || extendedK.cols() != q.cols())
    throw Error(ErrorKind::InvalidArgument, "memory_slots mass on memory: the extended keys are " + std::to_string(extendedK.rows()) + " x " +
                                                std::to_string(extendedK.cols()) + ", expected " + std::to_string(keys.keys()) + " x " + std::to_string(q.cols()));
  const ProbeInputs inputs{q, extendedK, memorySlotsFlashLayout(keys), 1.0f / std::sqrt(static_cast<float>(q.cols()))};
  const std::vector<float> perQuery = flashProbeKeyMass(device, inputs, keys.slotBase());
  std::vector<double> mass;
  for (int64_t a = 0; a < keys.n; a += keys.segment) {
    const int64_t len = std::min(keys.segment, keys.n - a);
    double sum = 0;
    for (int64_t i = a; i < a + len; ++i) sum += perQuery[static_cast<size_t>(i)];
    mass.push_back(sum / static_cast<double>(len));
  }
  return mass;
}

std::vector<double> transformerXlMemoryMass(ProbeDevice& device, const AttentionSpec& spec, const Qkv& qkv, int head) {
  const transformer_xl::XlShape x = transformer_xl::xlShapeOf(spec, qkv.n());
  if (x.memory <= 0) return {};
  std::string why;
  std::optional<ProbeInputs> inputs = flashProbeInputs(spec, qkv, head, nullptr, &why);
  if (!inputs) throw Error(ErrorKind::Unsupported, "transformer_xl mass on memory: " + why);
  const std::vector<float> lse = flashProbeRowLse(device, *inputs);
  transformer_xl::XlShape own = x;
  own.memory = 0;
  inputs->layout = transformer_xl::xlLayout(own);
  const std::vector<float> lseOwn = flashProbeRowLse(device, *inputs);
  std::vector<double> mass;
  for (int64_t a = 0; a < x.n; a += x.segment) {
    const int64_t len = std::min(x.segment, x.n - a);
    double sum = 0;
    for (int64_t i = a; i < a + len; ++i)
      if (x.segmentStart(i) > 0) sum += std::max(0.0, 1.0 - std::exp(static_cast<double>(lseOwn[static_cast<size_t>(i)]) - lse[static_cast<size_t>(i)]));
    mass.push_back(sum / static_cast<double>(len));
  }
  return mass;
}

}  // namespace attnscope::kernels
