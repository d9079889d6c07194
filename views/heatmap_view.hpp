// A heatmap of an attention map: perceptual colormap, crisp cells, hover
// tooltip with i, j, the weight and both tokens.
#pragma once

#include <QImage>
#include <QWidget>

#include "heatmap_data.hpp"

namespace attnscope {

class HeatmapView : public QWidget {
  Q_OBJECT

 public:
  explicit HeatmapView(QWidget* parent = nullptr);

  void setData(HeatmapData data);
  const HeatmapData& data() const { return data_; }
  bool hasData() const { return data_.rows > 0; }

  // The rectangle the cells are drawn into (square, centred, with margins for axes).
  QRect plotRect() const;
  // Cell under a widget position, or (-1, -1).
  QPoint cellAt(const QPoint& pos) const;
  // Tooltip text for a widget position (empty outside the plot).
  QString describeAt(const QPoint& pos) const;
  // The cells rendered with the colormap, one pixel per cell.
  const QImage& cellImage() const { return image_; }

  QSize sizeHint() const override { return {640, 640}; }
  QSize minimumSizeHint() const override { return {200, 200}; }

 signals:
  void hovered(const QString& description);

 protected:
  void paintEvent(QPaintEvent* event) override;
  void mouseMoveEvent(QMouseEvent* event) override;
  void leaveEvent(QEvent* event) override;

 private:
  void rebuildImage();
  HeatmapData data_;
  QImage image_;
};

// Renders data into a QImage of one pixel per cell (used by the view and by exports).
QImage renderHeatmapImage(const HeatmapData& data);

}  // namespace attnscope
