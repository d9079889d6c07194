// The explorer: an ImGui canvas with a control per parameter of one variant
// (generated from its ParamSpec list: sliders, check boxes, choices, fields),
// the variant's computed-pair mask over the whole sequence (or a zoomed
// region), a strip above it to place global tokens by hand, and a preview of
// its effective map over the region's first tokens. It draws what the app hands it and
// says what the user changed; the app recomputes the mask as a slider moves.
#pragma once

#include <QImage>
#include <QRectF>
#include <QString>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "attention/params.hpp"
#include "heatmap_data.hpp"
#include "imgui_canvas.hpp"

class QOpenGLTexture;

namespace attnscope {

// What the controls show.
struct ExplorerControls {
  std::vector<std::string> variantIds;
  std::vector<std::string> variantTitles;
  int current = -1;                   // index into variantIds
  bool causal = false;
  bool causalAllowed = true;
  std::vector<ParamSpec> schema;      // the current variant's parameters
  std::map<std::string, ParamValue> values;
  int64_t n = 0;                      // tokens of the input (bounds the sliders of token counts)
};

// What the app computed for the controls' spec.
struct ExplorerFigures {
  std::string error;                  // the spec is invalid: why (drawn instead of the figures)
  HeatmapData mask;                   // computed-pair fraction per cell; empty when the variant has no mask
  std::string noMask;                 // why there is no mask
  bool maskSampled = false;           // tall cells estimated from some of their rows
  HeatmapData preview;                // effective map over the first tokens; may be empty
  std::vector<std::pair<std::string, std::string>> facts;  // label, value (pairs, FLOPs, workspace, ...)
  bool pending = false;               // a newer computation runs
};

class ExplorerView : public ImGuiCanvas {
  Q_OBJECT

 public:
  explicit ExplorerView(QWidget* parent = nullptr);
  ~ExplorerView() override;

  void setControls(ExplorerControls controls);
  const ExplorerControls& controls() const { return controls_; }
  void setFigures(ExplorerFigures figures);
  const ExplorerFigures& figures() const { return figures_; }

  // Where each control was drawn in the last frame, by parameter name (and
  // "variant", "causal"), in widget pixels: for tests and lessons that point at one.
  QRectF controlRect(const std::string& name) const;
  QRectF maskRect() const { return maskRect_; }
  // The strip above the mask where the variant's token list (longformer's
  // global_indices: its first index-list parameter) is placed by hand: a
  // click adds a token, a marker dragged moves one, a right-click removes one.
  // Empty when the variant has no such list or no mask is drawn.
  QRectF tokenStripRect() const { return stripRect_; }
  static std::string tokenListParam(const std::vector<ParamSpec>& schema);
  QRectF previewRect() const { return previewRect_; }
  // The token pair under the mouse in either grid, drawn as a crosshair in
  // both where they cover it; (-1, -1) when the mouse is over neither, (-1, j)
  // over the token strip (key j's column is drawn).
  std::pair<int64_t, int64_t> hoveredPair() const { return hovered_; }
  // The slider range shown for an integer parameter (its schema's, bounded by n).
  static std::pair<int64_t, int64_t> sliderRange(const ParamSpec& spec, const std::map<std::string, ParamValue>& values, int64_t n);

 signals:
  void variantChosen(const QString& id);
  void causalEdited(bool causal);
  // A parameter's new value as text (Params::set parses it). finished: the
  // edit is complete (slider released, field confirmed), not a step of a drag.
  void paramEdited(const QString& name, const QString& value, bool finished);
  // The wheel over the mask asks for a region at full resolution (rows
  // [i0, i1) by keys [j0, j1)); a double-click asks for the whole input (all -1).
  void maskRegionRequested(qint64 i0, qint64 i1, qint64 j0, qint64 j1);

 protected:
  void drawUi() override;

 private:
  void drawControls();
  void drawParam(const ParamSpec& spec);
  void drawFigures();
  // A heatmap with axes, hover text and its texture; returns the image rectangle.
  QRectF drawGrid(const char* id, const HeatmapData& data, QOpenGLTexture*& texture, bool& dirty, float side, const char* what);
  void emitEdit(const std::string& name, const ParamValue& value, bool finished);
  // Wheel and double-click over the mask (the last item drawn).
  void zoomMask(const HeatmapData& mask);
  void drawTokenStrip(const HeatmapData& mask, float side);  // explorer_token_strip.cpp
  // "17 «word»" for one token, "a–b" for a span (hover texts).
  static QString tokenText(const HeatmapData& data, int64_t first, int64_t last);

  ExplorerControls controls_;
  ExplorerFigures figures_;
  QOpenGLTexture* maskTexture_ = nullptr;
  QOpenGLTexture* previewTexture_ = nullptr;
  bool maskDirty_ = false, previewDirty_ = false;
  std::map<std::string, QRectF> controlRects_;
  QRectF maskRect_, previewRect_, stripRect_;
  int dragMarker_ = -1;  // index in the token list of the marker being dragged
  std::pair<int64_t, int64_t> hovered_{-1, -1}, hoveredNext_{-1, -1};  // this frame's, and the one being found
  std::map<std::string, std::string> textEdits_;  // fields being typed in
  bool zoomAsked_ = false;  // a mask region was asked for and its figures are not in yet
  int64_t zoom_[4] = {0, 0, 0, 0};
};

}  // namespace attnscope
