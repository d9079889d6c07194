// Time and memory against sequence length, log-log, one line per series,
// with O(n) and O(n^2) guides. Draws a plain struct; the CLI's --plot and the
// GUI's Scaling page both use it.
#pragma once

#include <QImage>
#include <QSize>
#include <cmath>
#include <string>
#include <vector>

namespace attnscope {

struct ScalingSeries {
  std::string label;
  std::vector<double> n, timeMs, memoryBytes;  // finished points, same length
  double timeExponent = std::nan("");          // fitted slopes (NaN: none)
  double memoryExponent = std::nan("");
};

struct ScalingPlotData {
  std::string title;
  std::vector<ScalingSeries> series;
};

// Two panels side by side (time, memory). Empty data draws the axes and a note.
QImage renderScalingPlot(const ScalingPlotData& data, QSize size = {1200, 500});

}  // namespace attnscope
