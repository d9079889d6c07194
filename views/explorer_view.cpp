#include "explorer_view.hpp"

#include <QMetaObject>
#include <QOpenGLTexture>
#include <algorithm>
#include <cmath>

#include <imgui.h>
#include <imgui_stdlib.h>

#include "engine_text.hpp"
#include "heatmap_view.hpp"

namespace attnscope {

namespace {

constexpr float kControlsWidth = 330.0f;

int64_t intValue(const std::map<std::string, ParamValue>& values, const ParamSpec& spec) {
  const auto it = values.find(spec.name);
  const ParamValue& v = it != values.end() ? it->second : spec.defaultValue;
  if (const auto* i = std::get_if<int64_t>(&v)) return *i;
  return 0;
}

}  // namespace

QString ExplorerView::tokenText(const HeatmapData& data, int64_t first, int64_t last) {
  if (last - first == 1) {
    QString text = QString::number(first);
    if (data.labels && first < static_cast<int64_t>(data.labels->size()))
      text += QStringLiteral(" «%1»").arg(QString::fromStdString((*data.labels)[static_cast<size_t>(first)]).left(24));
    return text;
  }
  return QStringLiteral("%1–%2").arg(first).arg(last - 1);
}


ExplorerView::ExplorerView(QWidget* parent) : ImGuiCanvas(parent) { setMinimumSize(640, 420); }

ExplorerView::~ExplorerView() {
  if (maskTexture_ || previewTexture_) {
    makeCurrent();
    delete maskTexture_;
    delete previewTexture_;
    doneCurrent();
  }
}

std::pair<int64_t, int64_t> ExplorerView::sliderRange(const ParamSpec& spec, const std::map<std::string, ParamValue>& values, int64_t n) {
  const int64_t lo = static_cast<int64_t>(spec.min);
  int64_t hi = static_cast<int64_t>(spec.max);
  const int64_t tokens = std::max<int64_t>(n, 1);
  if (spec.unit == "tokens" || spec.unit == "rows" || spec.unit == "features" || spec.unit == "slots") {
    hi = std::min(hi, std::max(lo, tokens));
  } else if (spec.unit == "blocks") {
    // Counted in the variant's own block parameter (64 where it has none).
    int64_t block = 64;
    if (const auto it = values.find("block"); it != values.end())
      if (const auto* b = std::get_if<int64_t>(&it->second)) block = std::max<int64_t>(*b, 1);
    hi = std::min(hi, std::max(lo, (tokens + block - 1) / block));
  }
  return {lo, std::max(lo, hi)};
}

void ExplorerView::setControls(ExplorerControls controls) {
  controls_ = std::move(controls);
  textEdits_.clear();
  QString glyphs;
  for (const std::string& title : controls_.variantTitles) glyphs += QString::fromStdString(title);
  addGlyphs(glyphs);
  requestFrames();
}

void ExplorerView::setFigures(ExplorerFigures figures) {
  const bool newLabels = figures.mask.labels != figures_.mask.labels || figures.preview.labels != figures_.preview.labels;
  figures_ = std::move(figures);
  maskDirty_ = previewDirty_ = true;
  // Figures for the region last asked for end the zoom in flight (older ones may still arrive first).
  const HeatmapData& m = figures_.mask;
  if (zoomAsked_ && m.i0 == zoom_[0] && m.i1 == zoom_[1] && m.j0 == zoom_[2] && m.j1 == zoom_[3]) zoomAsked_ = false;
  if (newLabels) {
    // Token labels show in hover text: their characters join the font.
    QString glyphs;
    for (const auto& labels : {figures_.mask.labels, figures_.preview.labels})
      if (labels)
        for (const std::string& label : *labels) glyphs += QString::fromStdString(label);
    addGlyphs(glyphs);
  }
  QString text = QString::fromStdString(figures_.error + figures_.noMask);
  for (const auto& [label, value] : figures_.facts) text += QString::fromStdString(label + value);
  addGlyphs(text);
  requestFrames();
}

QRectF ExplorerView::controlRect(const std::string& name) const {
  const auto it = controlRects_.find(name);
  return it == controlRects_.end() ? QRectF() : it->second;
}

void ExplorerView::zoomMask(const HeatmapData& m) {
  if (!ImGui::IsItemHovered() || controls_.n <= 0) return;
  const ImGuiIO& io = ImGui::GetIO();
  if (ImGui::IsMouseDoubleClicked(ImGuiMouseButton_Left)) {
    zoomAsked_ = false;
    QMetaObject::invokeMethod(this, [this] { emit maskRegionRequested(-1, -1, -1, -1); }, Qt::QueuedConnection);
    return;
  }
  if (io.MouseWheel == 0.0f) return;
  // The token under the mouse stays where it is; the region shrinks (wheel up) or grows about it.
  const double fx = (io.MousePos.x - maskRect_.left()) / maskRect_.width(), fy = (io.MousePos.y - maskRect_.top()) / maskRect_.height();
  const double factor = std::pow(0.7, io.MouseWheel);
  const int64_t n = controls_.n;
  auto zoomed = [&](int64_t a, int64_t b, double f) {
    const double at = static_cast<double>(a) + f * static_cast<double>(b - a);
    const int64_t span = std::clamp<int64_t>(static_cast<int64_t>(std::llround(static_cast<double>(b - a) * factor)), std::min<int64_t>(16, n), n);
    const int64_t start = std::clamp<int64_t>(static_cast<int64_t>(std::llround(at - f * static_cast<double>(span))), 0, n - span);
    return std::pair<int64_t, int64_t>{start, start + span};
  };
  // Wheel steps that come before their figures zoom on from the region last asked for.
  const int64_t base[4] = {zoomAsked_ ? zoom_[0] : m.i0, zoomAsked_ ? zoom_[1] : m.i1, zoomAsked_ ? zoom_[2] : m.j0, zoomAsked_ ? zoom_[3] : m.j1};
  const auto [i0, i1] = zoomed(base[0], base[1], fy);
  const auto [j0, j1] = zoomed(base[2], base[3], fx);
  zoomAsked_ = true;
  zoom_[0] = i0;
  zoom_[1] = i1;
  zoom_[2] = j0;
  zoom_[3] = j1;
  QMetaObject::invokeMethod(this, [this, i0 = i0, i1 = i1, j0 = j0, j1 = j1] { emit maskRegionRequested(i0, i1, j0, j1); }, Qt::QueuedConnection);
}

void ExplorerView::emitEdit(const std::string& name, const ParamValue& value, bool finished) {
  controls_.values[name] = value;
  const QString key = QString::fromStdString(name), text = QString::fromStdString(formatParamValue(value));
  // Queued: a slot may hand new controls back, which must not happen mid-frame.
  QMetaObject::invokeMethod(this, [this, key, text, finished] { emit paramEdited(key, text, finished); }, Qt::QueuedConnection);
}

void ExplorerView::drawUi() {
  controlRects_.clear();
  // The pair found under the mouse last frame is drawn in both grids this frame.
  hovered_ = hoveredNext_;
  hoveredNext_ = {-1, -1};
  // The panel widens with the type (presentation mode).
  ImGui::BeginChild("controls", ImVec2(kControlsWidth * std::max(1.0f, ImGui::GetFontSize() / kFontSize), 0), true);
  drawControls();
  ImGui::EndChild();
  ImGui::SameLine();
  ImGui::BeginChild("figures", ImVec2(0, 0), false);
  drawFigures();
  ImGui::EndChild();
}

void ExplorerView::drawControls() {
  auto remember = [this](const std::string& name) {
    const ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
    controlRects_[name] = QRectF(QPointF(a.x, a.y), QPointF(b.x, b.y));
  };
  if (controls_.variantIds.empty()) {
    ImGui::TextWrapped("%s", uiText(tr("No variants.")).constData());
    return;
  }
  ImGui::TextUnformatted(uiText(tr("Variant")).constData());
  const int current = std::clamp(controls_.current, 0, static_cast<int>(controls_.variantIds.size()) - 1);
  ImGui::SetNextItemWidth(-1);
  if (ImGui::BeginCombo("##variant", controls_.variantTitles[static_cast<size_t>(current)].c_str())) {
    for (size_t k = 0; k < controls_.variantIds.size(); ++k) {
      const bool chosen = static_cast<int>(k) == current;
      if (ImGui::Selectable(controls_.variantTitles[k].c_str(), chosen) && !chosen) {
        const QString id = QString::fromStdString(controls_.variantIds[k]);
        QMetaObject::invokeMethod(this, [this, id] { emit variantChosen(id); }, Qt::QueuedConnection);
      }
    }
    ImGui::EndCombo();
  }
  remember("variant");
  ImGui::BeginDisabled(!controls_.causalAllowed);
  bool causal = controls_.causal && controls_.causalAllowed;
  if (ImGui::Checkbox(uiText(tr("Causal")).constData(), &causal)) {
    controls_.causal = causal;
    QMetaObject::invokeMethod(this, [this, causal] { emit causalEdited(causal); }, Qt::QueuedConnection);
  }
  ImGui::EndDisabled();
  remember("causal");
  if (!controls_.causalAllowed && ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled))
    ImGui::SetTooltip("%s", uiText(tr("This variant has no causal form")).constData());
  ImGui::Separator();
  if (controls_.schema.empty()) ImGui::TextWrapped("%s", uiText(tr("No parameters: the mask follows from n alone.")).constData());
  for (const ParamSpec& spec : controls_.schema) {
    drawParam(spec);
    remember(spec.name);
    if (ImGui::IsItemHovered()) {
      QString allowed = paramAllowedText(spec);
      if (!spec.unit.empty()) allowed += " " + engineText(spec.unit);
      ImGui::SetTooltip("%s", uiText(engineText(spec.help) + "\n" + tr("allowed: %1").arg(allowed)).constData());
    }
  }
  ImGui::Separator();
  ImGui::TextWrapped("%s", uiText(tr("Drag a slider: the mask follows at once; the compare columns rerun when you let go.")).constData());
  if (!tokenListParam(controls_.schema).empty())
    ImGui::TextWrapped("%s", uiText(tr("Click the strip above the mask to make a token global; drag a marker to move it, right-click one to remove it.")).constData());
}

void ExplorerView::drawParam(const ParamSpec& spec) {
  ImGui::PushID(spec.name.c_str());
  const auto found = controls_.values.find(spec.name);
  const ParamValue value = found != controls_.values.end() ? found->second : spec.defaultValue;
  ImGui::TextUnformatted(spec.name.c_str());
  if (!spec.unit.empty()) {
    ImGui::SameLine();
    ImGui::TextDisabled("(%s)", uiText(engineText(spec.unit)).constData());
  }
  ImGui::SetNextItemWidth(-1);
  switch (spec.type) {
    case ParamType::Int: {
      int64_t v = intValue(controls_.values, spec);
      const auto [lo, hi] = sliderRange(spec, controls_.values, controls_.n);
      bool changed = false;
      if (spec.unit.empty() && hi - lo > 1000000) {
        const int64_t step = 1;
        changed = ImGui::InputScalar("##v", ImGuiDataType_S64, &v, &step, nullptr, "%lld");
        v = std::clamp<int64_t>(v, static_cast<int64_t>(spec.min), static_cast<int64_t>(spec.max));
        if (changed) emitEdit(spec.name, v, true);
      } else {
        const ImGuiSliderFlags flags = hi > 64 * std::max<int64_t>(lo, 1) ? ImGuiSliderFlags_Logarithmic : 0;
        changed = ImGui::SliderScalar("##v", ImGuiDataType_S64, &v, &lo, &hi, "%lld", flags | ImGuiSliderFlags_AlwaysClamp);
        if (changed) emitEdit(spec.name, v, false);
        if (ImGui::IsItemDeactivatedAfterEdit()) emitEdit(spec.name, intValue(controls_.values, spec), true);
      }
      break;
    }
    case ParamType::Float: {
      double v = std::holds_alternative<double>(value) ? std::get<double>(value) : spec.min;
      const double lo = spec.min, hi = spec.max;
      if (ImGui::SliderScalar("##v", ImGuiDataType_Double, &v, &lo, &hi, "%.3f", ImGuiSliderFlags_AlwaysClamp)) emitEdit(spec.name, v, false);
      if (ImGui::IsItemDeactivatedAfterEdit()) {
        const auto it = controls_.values.find(spec.name);
        emitEdit(spec.name, it != controls_.values.end() ? it->second : ParamValue{v}, true);
      }
      break;
    }
    case ParamType::Bool: {
      bool v = std::holds_alternative<bool>(value) && std::get<bool>(value);
      if (ImGui::Checkbox("##v", &v)) emitEdit(spec.name, v, true);
      break;
    }
    case ParamType::Enum: {
      const std::string current = std::holds_alternative<std::string>(value) ? std::get<std::string>(value) : std::string();
      if (ImGui::BeginCombo("##v", current.c_str())) {
        for (const std::string& choice : spec.choices)
          if (ImGui::Selectable(choice.c_str(), choice == current) && choice != current) emitEdit(spec.name, choice, true);
        ImGui::EndCombo();
      }
      break;
    }
    case ParamType::IndexList:
    case ParamType::String: {
      // Typed text is kept here until the field is left or Enter confirms it.
      auto it = textEdits_.find(spec.name);
      if (it == textEdits_.end()) it = textEdits_.emplace(spec.name, formatParamValue(value)).first;
      ImGui::InputText("##v", &it->second);
      if (ImGui::IsItemDeactivatedAfterEdit()) {
        const QString key = QString::fromStdString(spec.name), text = QString::fromStdString(it->second);
        QMetaObject::invokeMethod(this, [this, key, text] { emit paramEdited(key, text, true); }, Qt::QueuedConnection);
      } else if (!ImGui::IsItemActive()) {
        it->second = formatParamValue(value);
      }
      break;
    }
  }
  ImGui::PopID();
}

void ExplorerView::drawFigures() {
  if (!figures_.error.empty()) {
    ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(1.0f, 0.45f, 0.4f, 1.0f));
    ImGui::TextWrapped("%s", figures_.error.c_str());
    ImGui::PopStyleColor();
  }
  if (!figures_.facts.empty() && ImGui::BeginTable("facts", 2, ImGuiTableFlags_SizingFixedFit)) {
    for (const auto& [label, value] : figures_.facts) {
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::TextDisabled("%s", label.c_str());
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(value.c_str());
    }
    ImGui::EndTable();
  }
  if (figures_.pending) ImGui::TextDisabled("%s", uiText(tr("updating…")).constData());
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const float gap = 24.0f, caption = 1.5f * ImGui::GetTextLineHeightWithSpacing();
  const bool two = figures_.preview.rows > 0;
  // Two squares side by side or one above the other, whichever draws them larger.
  const float sideBySide = std::min(two ? (avail.x - gap) / 2.0f : avail.x, avail.y - caption);
  const float stacked = two ? std::min(avail.x, (avail.y - 2 * caption - gap) / 2.0f) : 0.0f;
  const bool above = stacked > sideBySide;
  const float side = std::max(64.0f, std::max(sideBySide, stacked));
  maskRect_ = previewRect_ = stripRect_ = QRectF();
  ImGui::BeginGroup();
  if (figures_.mask.rows > 0) {
    const HeatmapData& m = figures_.mask;
    const bool whole = m.i0 == 0 && m.j0 == 0 && m.i1 == controls_.n && m.j1 == controls_.n;
    QString title = whole ? tr("Computed pairs (%1 × %1)").arg(m.i1)
                          : tr("Computed pairs, rows %1–%2 × keys %3–%4 (double-click: all)").arg(m.i0).arg(m.i1 - 1).arg(m.j0).arg(m.j1 - 1);
    if (figures_.maskSampled) title += tr("; tall cells sampled");
    ImGui::TextUnformatted(uiText(title).constData());
    drawTokenStrip(m, side);
    maskRect_ = drawGrid("mask", m, maskTexture_, maskDirty_, side, "computed");
    zoomMask(m);
  } else if (!figures_.noMask.empty()) {
    ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + side);
    ImGui::TextWrapped("%s", figures_.noMask.c_str());
    ImGui::PopTextWrapPos();
  }
  ImGui::EndGroup();
  if (two) {
    if (above) ImGui::Dummy(ImVec2(1, gap / 2));
    else ImGui::SameLine(0, gap);
    ImGui::BeginGroup();
    const HeatmapData& p = figures_.preview;
    const QString title = p.i0 == 0 && p.j0 == 0 && p.i1 == p.j1 ? tr("Effective map, tokens 0–%1").arg(p.i1 - 1)
                                                                 : tr("Effective map, rows %1–%2 × keys %3–%4").arg(p.i0).arg(p.i1 - 1).arg(p.j0).arg(p.j1 - 1);
    ImGui::TextUnformatted(uiText(title).constData());
    previewRect_ = drawGrid("preview", figures_.preview, previewTexture_, previewDirty_, side, "weight");
    ImGui::EndGroup();
  }
}

QRectF ExplorerView::drawGrid(const char* id, const HeatmapData& data, QOpenGLTexture*& texture, bool& dirty, float side, const char* what) {
  if (dirty || !texture) {
    delete texture;
    texture = nullptr;
    const QImage image = renderHeatmapImage(data).convertToFormat(QImage::Format_RGBA8888);
    if (!image.isNull()) {
      texture = new QOpenGLTexture(image, QOpenGLTexture::DontGenerateMipMaps);
      texture->setMinificationFilter(QOpenGLTexture::Linear);
      texture->setMagnificationFilter(QOpenGLTexture::Nearest);
      texture->setWrapMode(QOpenGLTexture::ClampToEdge);
    }
    dirty = false;
  }
  ImGui::PushID(id);
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  const float w = side, h = side * static_cast<float>(data.i1 - data.i0) / static_cast<float>(std::max<int64_t>(data.j1 - data.j0, 1));
  if (texture) ImGui::Image(reinterpret_cast<ImTextureID>(static_cast<intptr_t>(texture->textureId())), ImVec2(w, h));
  else ImGui::Dummy(ImVec2(w, h));
  ImDrawList* draw = ImGui::GetWindowDrawList();
  // The frame sits outside the image: a global token's row or column is the image's edge.
  draw->AddRect(ImVec2(origin.x - 1, origin.y - 1), ImVec2(origin.x + w + 1, origin.y + h + 1), IM_COL32(128, 128, 128, 255));
  // The crosshair of the hovered pair, in every grid whose region holds it;
  // a key alone (i = -1, the mouse over the token strip) draws its column.
  const auto [hi, hj] = hovered_;
  const bool rowIn = hi >= data.i0 && hi < data.i1, colIn = hj >= data.j0 && hj < data.j1;
  const ImU32 line = IM_COL32(255, 255, 255, 200);
  // Whole pixels (AddLine adds the half itself), so the lines are one crisp pixel wide.
  if (rowIn && colIn) {
    const float y = std::floor(origin.y + (static_cast<float>(hi - data.i0) + 0.5f) / static_cast<float>(data.i1 - data.i0) * h);
    draw->AddLine(ImVec2(origin.x, y), ImVec2(origin.x + w, y), line);
  }
  if (colIn && (rowIn || hi < 0)) {
    const float x = std::floor(origin.x + (static_cast<float>(hj - data.j0) + 0.5f) / static_cast<float>(data.j1 - data.j0) * w);
    draw->AddLine(ImVec2(x, origin.y), ImVec2(x, origin.y + h), line);
  }
  if (ImGui::IsItemHovered() && data.rows > 0 && data.cols > 0) {
    const ImVec2 mouse = ImGui::GetIO().MousePos;
    const int64_t r = std::clamp<int64_t>(static_cast<int64_t>((mouse.y - origin.y) / h * static_cast<float>(data.rows)), 0, data.rows - 1);
    const int64_t c = std::clamp<int64_t>(static_cast<int64_t>((mouse.x - origin.x) / w * static_cast<float>(data.cols)), 0, data.cols - 1);
    // The token under the mouse itself, not the cell's first one.
    hoveredNext_ = {std::clamp<int64_t>(data.i0 + static_cast<int64_t>((mouse.y - origin.y) / h * static_cast<float>(data.i1 - data.i0)), data.i0, data.i1 - 1),
                    std::clamp<int64_t>(data.j0 + static_cast<int64_t>((mouse.x - origin.x) / w * static_cast<float>(data.j1 - data.j0)), data.j0, data.j1 - 1)};
    const auto [ia, ib] = data.rowTokens(r);
    const auto [ja, jb] = data.colTokens(c);
    const float v = data.at(r, c);
    QString text = tr("query i %1\nkey j %2\n").arg(tokenText(data, ia, ib), tokenText(data, ja, jb));
    text += std::string(what) == "computed" ? tr("%1% of the pairs computed").arg(100.0 * v, 0, 'f', v == 0.0f || v == 1.0f ? 0 : 1)
                                            : tr("%1 %2").arg(data.exact() ? tr("weight") : tr("mean weight")).arg(v, 0, 'g', 4);
    ImGui::SetTooltip("%s", uiText(text).constData());
  }
  ImGui::PopID();
  return QRectF(origin.x, origin.y, w, h);
}

}  // namespace attnscope
