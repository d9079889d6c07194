// A heatmap of an attention map: perceptual colormap with a colour bar,
// linear / log / row-normalised shading, crisp cells, wheel zoom and drag pan
// over tokens (keys: + and - zoom, arrows pan, Home resets), asking the app
// for the zoomed region at full resolution, a
// crosshair that other maps can mirror, the computed-pair mask as an overlay,
// and a hover tooltip with i, j, the weight and both tokens.
#pragma once

#include <QImage>
#include <QWidget>
#include <cstdint>
#include <utility>
#include <vector>

#include "color_bar.hpp"
#include "heatmap_data.hpp"

class QTimer;

namespace attnscope {

// A token rectangle: rows [i0, i1), columns [j0, j1).
struct TokenRegion {
  int64_t i0 = 0, i1 = 0, j0 = 0, j1 = 0;
  bool empty() const { return i1 <= i0 || j1 <= j0; }
  bool contains(const TokenRegion& o) const { return o.i0 >= i0 && o.i1 <= i1 && o.j0 >= j0 && o.j1 <= j1; }
  bool operator==(const TokenRegion&) const = default;
};

class HeatmapView : public QWidget {
  Q_OBJECT

 public:
  explicit HeatmapView(QWidget* parent = nullptr);

  // New data keeps the current zoom when it answers a recent regionRequested,
  // or when it covers the zoomed view inside the same extent (a new run on the
  // same tokens; the region is then asked for again). Otherwise the extent and
  // the view become the data's region (call setTokenExtent for a new n).
  void setData(HeatmapData data);
  const HeatmapData& data() const { return data_; }
  bool hasData() const { return data_.rows > 0 && data_.cols > 0; }

  // Shading the user picked; it then applies to every later setData too.
  void setColorScale(ColorScale scale);
  ColorScale colorScale() const { return data_.scale; }
  void setRowNormalised(bool on);
  bool rowNormalised() const { return data_.rowNormalised; }
  // The values the colour bar spans for the current data and shading.
  ShadeRange shadeRange() const;

  // The whole map in tokens: how far zooming out goes.
  void setTokenExtent(int64_t rows, int64_t cols);
  TokenRegion tokenExtent() const { return extent_; }
  // The tokens shown. Setting it clamps to the extent, emits viewRegionChanged,
  // and after a short pause regionRequested when the data does not already
  // cover it at full resolution.
  TokenRegion viewRegion() const { return view_; }
  void setViewRegion(const TokenRegion& region);
  // Zooms about a widget position; factor < 1 zooms in.
  void zoomAt(const QPointF& pos, double factor);
  void resetZoom();
  static constexpr int64_t minimumSpan = 4;  // tokens per side at the deepest zoom

  // Token under a widget position, or (-1, -1) outside the plot.
  std::pair<int64_t, int64_t> tokenAt(const QPoint& pos) const;
  // Widget position of the centre of token (i, j) at the current zoom.
  QPointF tokenCenter(int64_t i, int64_t j) const;
  // The shown value at token pair (i, j): the cell holding it (a pooled cell's mean); NaN outside the data.
  float weightAt(int64_t i, int64_t j) const;

  bool hasCrosshair() const { return crosshair_.first >= 0; }
  // The pixel the crosshair lines cross at, or (-1, -1) when none is shown.
  QPoint crosshairPoint() const;

  // The computed-pair mask (1: computed, 0: not; pooled cells a fraction), drawn over the map when visible.
  void setMask(HeatmapData mask);
  bool hasMask() const { return mask_.rows > 0 && mask_.cols > 0; }
  void setMaskVisible(bool visible);
  bool maskVisible() const { return maskVisible_; }

  // The rectangle the cells are drawn into (square, with margins for title, axes and colour bar).
  QRect plotRect() const;
  QRect colorBarRect() const;
  QRect titleRect() const;
  // The title as drawn (wrapped to two lines, then elided); the full one is the title's tooltip.
  QString shownTitle() const;
  // Cell under a widget position, or (-1, -1).
  QPoint cellAt(const QPoint& pos) const;
  // Tooltip text for a widget position (empty outside the plot).
  QString describeAt(const QPoint& pos) const;
  // The cells rendered with the colormap, one pixel per cell.
  const QImage& cellImage() const { return image_; }

  QSize sizeHint() const override;
  QSize minimumSizeHint() const override { return {220, 200}; }
  // The plot is square: the height that fits it at a width, with title, axes and colour bar.
  bool hasHeightForWidth() const override { return true; }
  int heightForWidth(int width) const override;

 public slots:
  void setCrosshair(int64_t i, int64_t j);
  void clearCrosshair();

 signals:
  void hovered(const QString& description);
  void tokenHovered(int64_t i, int64_t j);
  void hoverLeft();
  // The app should recompute this region (at full resolution when it is small enough) and call setData.
  void regionRequested(int64_t i0, int64_t i1, int64_t j0, int64_t j1);
  void viewRegionChanged(int64_t i0, int64_t i1, int64_t j0, int64_t j1);

 protected:
  void paintEvent(QPaintEvent* event) override;
  void mouseMoveEvent(QMouseEvent* event) override;
  void mousePressEvent(QMouseEvent* event) override;
  void mouseReleaseEvent(QMouseEvent* event) override;
  void mouseDoubleClickEvent(QMouseEvent* event) override;
  void wheelEvent(QWheelEvent* event) override;
  void keyPressEvent(QKeyEvent* event) override;
  void leaveEvent(QEvent* event) override;
  void changeEvent(QEvent* event) override;

 private:
  void rebuildImage();
  void rebuildMaskImage();
  void scheduleRegionRequest();
  void emitRegionRequest();
  void drawGrid(QPainter& p, const QImage& image, const HeatmapData& grid) const;
  QStringList titleLines(int width) const;
  int titleHeight() const;

  HeatmapData data_;
  HeatmapData mask_;
  QImage image_, maskImage_;
  bool maskVisible_ = false;
  bool shadingChosen_ = false;
  ColorScale chosenScale_ = ColorScale::Log;
  bool chosenRowNormalised_ = false;
  TokenRegion extent_, view_, lastRequested_;
  std::vector<TokenRegion> requested_;  // recent requests: data for one is an answer, not a new map
  std::pair<int64_t, int64_t> crosshair_{-1, -1};
  std::pair<int64_t, int64_t> hoverToken_{-1, -1};
  QPoint dragStart_;
  TokenRegion dragRegion_;
  bool dragging_ = false;
  QTimer* requestTimer_;
};

// Renders data into a QImage of one pixel per cell (used by the view and by exports).
QImage renderHeatmapImage(const HeatmapData& data);
// The values the colour bar spans for data as it is shaded.
ShadeRange heatmapShadeRange(const HeatmapData& data);

}  // namespace attnscope
