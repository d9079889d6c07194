// The explorer's token strip (ExplorerView::drawTokenStrip): the variant's
// token list (longformer's global_indices) placed by hand above the mask.
#include <QMetaObject>
#include <algorithm>
#include <cmath>

#include <imgui.h>

#include "explorer_view.hpp"

namespace attnscope {

std::string ExplorerView::tokenListParam(const std::vector<ParamSpec>& schema) {
  for (const ParamSpec& p : schema)
    if (p.type == ParamType::IndexList) return p.name;
  return {};
}

void ExplorerView::drawTokenStrip(const HeatmapData& m, float side) {
  const std::string name = tokenListParam(controls_.schema);
  if (name.empty() || m.j1 <= m.j0) {
    dragMarker_ = -1;
    return;
  }
  std::vector<int64_t> list;
  if (const auto it = controls_.values.find(name); it != controls_.values.end())
    if (const auto* v = std::get_if<std::vector<int64_t>>(&it->second)) list = *v;
  if (dragMarker_ >= static_cast<int>(list.size())) dragMarker_ = -1;  // the list was replaced under the drag

  const float h = std::round(ImGui::GetTextLineHeight());
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  ImGui::InvisibleButton("tokens", ImVec2(side, h), ImGuiButtonFlags_MouseButtonLeft | ImGuiButtonFlags_MouseButtonRight);
  stripRect_ = QRectF(origin.x, origin.y, side, h);
  const double span = static_cast<double>(m.j1 - m.j0);
  auto tokenAt = [&](float x) {
    return std::clamp<int64_t>(m.j0 + static_cast<int64_t>(std::floor((x - origin.x) / side * span)), m.j0, m.j1 - 1);
  };
  auto xOf = [&](int64_t t) { return origin.x + static_cast<float>((static_cast<double>(t - m.j0) + 0.5) / span * side); };
  // The marker nearest x within a few pixels, or -1.
  auto markerAt = [&](float x) {
    int best = -1;
    float bestDistance = 0.6f * h;
    for (size_t k = 0; k < list.size(); ++k) {
      if (list[k] < m.j0 || list[k] >= m.j1) continue;
      const float distance = std::abs(xOf(list[k]) - x);
      if (distance <= bestDistance) best = static_cast<int>(k), bestDistance = distance;
    }
    return best;
  };
  auto sorted = [](std::vector<int64_t> v) {
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
    return v;
  };
  const ImGuiIO& io = ImGui::GetIO();
  const float mx = io.MousePos.x;
  if (ImGui::IsItemActivated()) {
    const int marker = markerAt(mx);
    if (io.MouseClicked[ImGuiMouseButton_Right]) {
      if (marker >= 0) {
        list.erase(list.begin() + marker);
        emitEdit(name, list, true);
      }
    } else if (marker >= 0) {
      dragMarker_ = marker;
    } else {
      list.push_back(tokenAt(mx));
      list = sorted(std::move(list));
      emitEdit(name, list, true);
    }
  }
  if (dragMarker_ >= 0) {
    if (ImGui::IsItemActive()) {
      const int64_t t = tokenAt(mx);
      if (t != list[static_cast<size_t>(dragMarker_)]) {
        list[static_cast<size_t>(dragMarker_)] = t;
        emitEdit(name, list, false);  // the mask follows the marker
      }
    } else {
      dragMarker_ = -1;
      list = sorted(std::move(list));
      emitEdit(name, list, true);  // let go: the session takes the list
    }
  }

  ImDrawList* draw = ImGui::GetWindowDrawList();
  draw->AddRectFilled(origin, ImVec2(origin.x + side, origin.y + h), IM_COL32(45, 45, 52, 255));
  for (size_t k = 0; k < list.size(); ++k) {
    if (list[k] < m.j0 || list[k] >= m.j1) continue;
    const float x = std::floor(xOf(list[k])) + 0.5f;
    const ImU32 colour = static_cast<int>(k) == dragMarker_ ? IM_COL32(255, 255, 255, 255) : IM_COL32(90, 200, 255, 255);
    draw->AddTriangleFilled(ImVec2(x - 0.35f * h, origin.y + 1), ImVec2(x + 0.35f * h, origin.y + 1), ImVec2(x, origin.y + h - 1), colour);
  }
  if (list.empty() && !ImGui::IsItemHovered()) {
    const QByteArray hint = uiText(tr("click here to add a global token"));
    draw->AddText(ImVec2(origin.x + 4, origin.y), IM_COL32(150, 150, 160, 255), hint.constData());
  }
  if (ImGui::IsItemHovered()) {
    hoveredNext_ = {-1, tokenAt(mx)};
    const int marker = markerAt(mx);
    const QString token = tokenText(m, tokenAt(mx), tokenAt(mx) + 1);
    ImGui::SetTooltip("%s", uiText(marker >= 0 ? tr("global token %1\ndrag to move it, right-click to remove it").arg(tokenText(m, list[static_cast<size_t>(marker)], list[static_cast<size_t>(marker)] + 1))
                                               : tr("token %1\nclick: make it global (%2)").arg(token, QString::fromStdString(name))).constData());
  }
}

}  // namespace attnscope
