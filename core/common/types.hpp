// Plain numeric types shared by the whole engine.
#pragma once

#include <Eigen/Core>
#include <cstdint>

namespace attnscope {

// Every matrix in the engine is float32, row-major: one token per row.
using Mat = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using MatRef = Eigen::Ref<Mat>;
using ConstMatRef = Eigen::Ref<const Mat>;
using MatMap = Eigen::Map<Mat>;
using ConstMatMap = Eigen::Map<const Mat>;
using Vec = Eigen::VectorXf;
using RowVec = Eigen::RowVectorXf;

}  // namespace attnscope
