// Time and memory against sequence length, log-log, one line per series,
// with O(n) and O(n^2) guides. Draws a plain struct; the CLI's --plot and the
// GUI's Scaling page both draw it through ScalingChart (Qt Charts).
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
  double timeIntercept = std::nan("");         // ln y at n = 1 (places skipped points on the fit)
  double memoryIntercept = std::nan("");
  std::vector<double> skippedN;                // lengths the memory guard refused
  std::vector<std::string> skippedWhy;         // same length as skippedN
};

struct ScalingPlotData {
  std::string title;
  std::vector<ScalingSeries> series;
};

// Two panels side by side (time, memory). Empty data draws the axes and a note.
// Needs a QApplication (Qt Charts is made of widgets); without one it returns
// a null image.
QImage renderScalingPlot(const ScalingPlotData& data, QSize size = {1200, 500});

}  // namespace attnscope
