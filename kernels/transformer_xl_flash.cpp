#include "transformer_xl_flash.hpp"

#include <cmath>

#include "attention/variants/transformer_xl.hpp"
#include "common/error.hpp"

namespace attnscope::kernels {

Qkv withRelativeFeatures(const Qkv& qkv) {
  const int64_t n = qkv.n(), d = qkv.d();
  if (d % 2 != 0) throw Error(ErrorKind::Unsupported, "transformer_xl on the flash kernel needs an even head width (got d = " + std::to_string(d) + ")");
  RowVec u, v;
  transformerXlBiases(d, u, v);
  // sin and cos of i w_p per position and pair, shared by Q' and K'.
  const int64_t pairs = d / 2;
  std::vector<float> sinIw(static_cast<size_t>(n * pairs)), cosIw(static_cast<size_t>(n * pairs));
  for (int64_t p = 0; p < pairs; ++p) {
    const double w = transformerXlFrequency(2 * p, d);
    for (int64_t i = 0; i < n; ++i) {
      const double angle = static_cast<double>(i) * w;
      sinIw[static_cast<size_t>(i * pairs + p)] = static_cast<float>(std::sin(angle));
      cosIw[static_cast<size_t>(i * pairs + p)] = static_cast<float>(std::cos(angle));
    }
  }
  Qkv ext;
  ext.origin = qkv.origin;
  ext.v = qkv.v;
  for (int h = 0; h < qkv.heads(); ++h) {
    const Mat& q = qkv.q[static_cast<size_t>(h)];
    const Mat& k = qkv.k[static_cast<size_t>(h)];
    Mat q2(n, 2 * d), k2(n, 2 * d);
    for (int64_t i = 0; i < n; ++i) {
      for (int64_t c = 0; c < d; ++c) {
        q2(i, c) = q(i, c) + u(c);
        k2(i, c) = k(i, c);
      }
      for (int64_t p = 0; p < pairs; ++p) {
        const double a = static_cast<double>(q(i, 2 * p)) + v(2 * p), b = static_cast<double>(q(i, 2 * p + 1)) + v(2 * p + 1);
        const double s = sinIw[static_cast<size_t>(i * pairs + p)], co = cosIw[static_cast<size_t>(i * pairs + p)];
        q2(i, d + 2 * p) = static_cast<float>(a * s + b * co);
        q2(i, d + 2 * p + 1) = static_cast<float>(b * s - a * co);
        k2(i, d + 2 * p) = static_cast<float>(co);
        k2(i, d + 2 * p + 1) = static_cast<float>(s);
      }
    }
    ext.q.push_back(std::move(q2));
    ext.k.push_back(std::move(k2));
  }
  return ext;
}

Qkv withRelativeSlots(const Qkv& qkv) {
  const int64_t n = qkv.n(), d = qkv.d();
  if (d % 2 != 0) throw Error(ErrorKind::Unsupported, "transformer_xl on the flash kernel needs an even head width (got d = " + std::to_string(d) + ")");
  Qkv ext;
  ext.origin = qkv.origin;
  ext.v = qkv.v;
  for (int h = 0; h < qkv.heads(); ++h) {
    Mat q2 = Mat::Zero(n, 2 * d), k2 = Mat::Zero(n, 2 * d);
    q2.leftCols(d) = qkv.q[static_cast<size_t>(h)];
    k2.leftCols(d) = qkv.k[static_cast<size_t>(h)];
    ext.q.push_back(std::move(q2));
    ext.k.push_back(std::move(k2));
  }
  return ext;
}

RelativeFeatureInputs relativeFeatureInputs(int64_t d) {
  RelativeFeatureInputs in;
  transformerXlBiases(d, in.u, in.v);
  for (int64_t p = 0; p < d / 2; ++p) in.frequency.push_back(transformerXlFrequency(2 * p, d));
  return in;
}

int transformerXlFlashWidth(const AttentionSpec& spec, const Shape& shape) {
  return static_cast<int>(spec.params.getBool("relative") ? 2 * shape.d : shape.d);
}

}  // namespace attnscope::kernels
