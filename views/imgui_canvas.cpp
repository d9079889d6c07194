#include "imgui_canvas.hpp"

#include <QApplication>
#include <QClipboard>
#include <QFile>
#include <QGuiApplication>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QOpenGLContext>
#include <QOpenGLFunctions>
#include <QWheelEvent>
#include <algorithm>
#include <vector>

#include <imgui.h>
#include <imgui_impl_opengl3.h>

namespace attnscope {

namespace {

// Noto Sans CJK's Simplified Chinese face (index 2 of the collection).
constexpr int kCjkFace = 2;

// The font file, read once for every canvas (about 19 MB); empty when none is installed.
const std::vector<unsigned char>& cjkFontData() {
  static const std::vector<unsigned char> data = [] {
    std::vector<unsigned char> bytes;
    for (const char* path : {"/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
                             "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc"}) {
      QFile file(path);
      if (!file.open(QIODevice::ReadOnly)) continue;
      const QByteArray all = file.readAll();
      bytes.assign(all.begin(), all.end());
      break;
    }
    return bytes;
  }();
  return data;
}

// Qt keys ImGui needs for its widgets (text fields, navigation), as the small
// indices ImGui 1.86's KeysDown array takes.
int keyIndex(int qtKey) {
  switch (qtKey) {
    case Qt::Key_Tab: return 256;
    case Qt::Key_Left: return 257;
    case Qt::Key_Right: return 258;
    case Qt::Key_Up: return 259;
    case Qt::Key_Down: return 260;
    case Qt::Key_PageUp: return 261;
    case Qt::Key_PageDown: return 262;
    case Qt::Key_Home: return 263;
    case Qt::Key_End: return 264;
    case Qt::Key_Insert: return 265;
    case Qt::Key_Delete: return 266;
    case Qt::Key_Backspace: return 267;
    case Qt::Key_Space: return 268;
    case Qt::Key_Return: return 269;
    case Qt::Key_Enter: return 269;
    case Qt::Key_Escape: return 270;
    default: break;
  }
  if (qtKey >= Qt::Key_A && qtKey <= Qt::Key_Z) return 'A' + (qtKey - Qt::Key_A);
  return -1;
}

const char* clipboardText(void*) {
  static QByteArray text;
  text = QGuiApplication::clipboard()->text().toUtf8();
  return text.constData();
}

void setClipboardText(void*, const char* text) { QGuiApplication::clipboard()->setText(QString::fromUtf8(text)); }

}  // namespace

ImGuiCanvas::ImGuiCanvas(QWidget* parent) : QOpenGLWidget(parent) {
  setMouseTracking(true);
  setFocusPolicy(Qt::StrongFocus);
  ImGuiContext* previous = ImGui::GetCurrentContext();
  context_ = ImGui::CreateContext();
  ImGui::SetCurrentContext(context_);
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;  // the session file keeps what is worth keeping
  io.LogFilename = nullptr;
  io.ConfigFlags |= ImGuiConfigFlags_NavEnableKeyboard;
  const int keys[][2] = {{ImGuiKey_Tab, 256},       {ImGuiKey_LeftArrow, 257}, {ImGuiKey_RightArrow, 258}, {ImGuiKey_UpArrow, 259},
                         {ImGuiKey_DownArrow, 260}, {ImGuiKey_PageUp, 261},    {ImGuiKey_PageDown, 262},   {ImGuiKey_Home, 263},
                         {ImGuiKey_End, 264},       {ImGuiKey_Insert, 265},    {ImGuiKey_Delete, 266},     {ImGuiKey_Backspace, 267},
                         {ImGuiKey_Space, 268},     {ImGuiKey_Enter, 269},     {ImGuiKey_Escape, 270},     {ImGuiKey_KeyPadEnter, 269},
                         {ImGuiKey_A, 'A'},         {ImGuiKey_C, 'C'},         {ImGuiKey_V, 'V'},          {ImGuiKey_X, 'X'},
                         {ImGuiKey_Y, 'Y'},         {ImGuiKey_Z, 'Z'}};
  for (const auto& [imguiKey, index] : keys) io.KeyMap[imguiKey] = index;
  io.GetClipboardTextFn = clipboardText;
  io.SetClipboardTextFn = setClipboardText;
  ImGui::StyleColorsDark();
  ImGuiStyle& style = ImGui::GetStyle();
  style.WindowRounding = 0;
  style.FrameRounding = 3;
  style.GrabRounding = 3;
  ImGui::SetCurrentContext(previous);
  basePointSize_ = QApplication::font().pointSizeF();
  clock_.start();
}


ImGuiCanvas::~ImGuiCanvas() {
  if (rendererReady_) {
    makeCurrent();
    useContext();
    ImGui_ImplOpenGL3_Shutdown();
    doneCurrent();
  }
  if (ImGui::GetCurrentContext() == context_) ImGui::SetCurrentContext(nullptr);
  ImGui::DestroyContext(context_);
}

void ImGuiCanvas::useContext() const { ImGui::SetCurrentContext(context_); }

void ImGuiCanvas::addGlyphs(const QString& text) {
  bool added = false;
  for (const QChar ch : text) {
    const char16_t c = ch.unicode();
    if (c < 0x100 || ch.isSurrogate()) continue;  // Latin-1 is always there; ImGui's glyphs stop at U+FFFF
    added = extraGlyphs_.insert(c).second || added;
  }
  if (added) {
    fontsDirty_ = true;
    requestFrames();
  }
}

QByteArray ImGuiCanvas::uiText(const QString& text) {
  addGlyphs(text);
  return text.toUtf8();
}

bool ImGuiCanvas::hasGlyph(char32_t c) const {
  if (fontsDirty_ || c > 0xFFFF) return false;
  useContext();
  const ImFontAtlas* atlas = ImGui::GetIO().Fonts;
  return !atlas->Fonts.empty() && atlas->Fonts[0]->FindGlyphNoFallback(static_cast<ImWchar>(c)) != nullptr;
}

float ImGuiCanvas::fontPixels() const {
  if (fontsDirty_) return 0;
  useContext();
  const ImGuiIO& io = ImGui::GetIO();
  return io.Fonts->Fonts.empty() ? 0.0f : io.Fonts->Fonts[0]->FontSize * io.FontGlobalScale;
}

void ImGuiCanvas::buildFonts() {
  useContext();
  ImGuiIO& io = ImGui::GetIO();
  io.Fonts->Clear();
  const float scale = static_cast<float>(std::max(1.0, devicePixelRatioF()));
  // Larger type (presentation mode) rasterises a larger font rather than stretching the small one.
  builtPointSize_ = QApplication::font().pointSizeF();
  const float typeScale = basePointSize_ > 0 && builtPointSize_ > 0 ? static_cast<float>(builtPointSize_ / basePointSize_) : 1.0f;
  const std::vector<unsigned char>& data = cjkFontData();
  if (!data.empty()) {
    ImFontGlyphRangesBuilder builder;
    builder.AddRanges(io.Fonts->GetGlyphRangesChineseSimplifiedCommon());
    // Punctuation, arrows and math signs the views use (×, ≤, →, ², …).
    static const ImWchar symbols[] = {0x2000, 0x206F, 0x2190, 0x21FF, 0x2200, 0x22FF, 0x00B2, 0x00B3, 0};
    builder.AddRanges(symbols);
    for (char16_t c : extraGlyphs_) builder.AddChar(static_cast<ImWchar>(c));
    static ImVector<ImWchar> ranges;  // read when the atlas is built, below
    ranges.clear();
    builder.BuildRanges(&ranges);
    ImFontConfig config;
    config.FontNo = kCjkFace;
    config.FontDataOwnedByAtlas = false;
    config.OversampleH = 1;  // CJK glyphs are many; horizontal oversampling would quadruple the atlas
    config.OversampleV = 1;
    config.PixelSnapH = true;
    io.Fonts->AddFontFromMemoryTTF(const_cast<unsigned char*>(data.data()), static_cast<int>(data.size()), kFontSize * typeScale * scale, &config, ranges.Data);
  } else {
    ImFontConfig config;
    config.SizePixels = 13.0f * typeScale * scale;
    io.Fonts->AddFontDefault(&config);
  }
  io.FontGlobalScale = 1.0f / scale;
  unsigned char* pixels = nullptr;
  int width = 0, height = 0;
  io.Fonts->GetTexDataAsRGBA32(&pixels, &width, &height);
  if (rendererReady_) {
    ImGui_ImplOpenGL3_DestroyFontsTexture();
    ImGui_ImplOpenGL3_CreateFontsTexture();
  }
  fontsDirty_ = false;
}

void ImGuiCanvas::initializeGL() {
  useContext();
  QOpenGLContext* gl = QOpenGLWidget::context();
  const QSurfaceFormat format = gl ? gl->format() : QSurfaceFormat();
  if (!gl || format.majorVersion() < 3) {
    failure_ = tr("OpenGL 3 or later is needed (the context is %1.%2)").arg(format.majorVersion()).arg(format.minorVersion());
    emit failed(failure_);
    return;
  }
  const char* glsl = format.profile() == QSurfaceFormat::CoreProfile ? "#version 150" : "#version 130";
  if (!ImGui_ImplOpenGL3_Init(glsl)) {
    failure_ = tr("the OpenGL renderer did not start");
    emit failed(failure_);
    return;
  }
  rendererReady_ = true;
  fontsDirty_ = true;
}

void ImGuiCanvas::paintGL() {
  if (!rendererReady_) return;
  useContext();
  // The window's type grew or shrank (presentation mode): the font follows.
  if (QApplication::font().pointSizeF() != builtPointSize_) fontsDirty_ = true;
  if (fontsDirty_) buildFonts();
  ImGuiIO& io = ImGui::GetIO();
  io.DisplaySize = ImVec2(static_cast<float>(width()), static_cast<float>(height()));
  const float dpr = static_cast<float>(devicePixelRatioF());
  io.DisplayFramebufferScale = ImVec2(dpr, dpr);
  io.DeltaTime = std::max(1e-4f, static_cast<float>(clock_.nsecsElapsed()) * 1e-9f);
  clock_.restart();
  io.KeyCtrl = QGuiApplication::keyboardModifiers() & Qt::ControlModifier;
  io.KeyShift = QGuiApplication::keyboardModifiers() & Qt::ShiftModifier;
  io.KeyAlt = QGuiApplication::keyboardModifiers() & Qt::AltModifier;

  ImGui_ImplOpenGL3_NewFrame();
  ImGui::NewFrame();
  // Qt's double-click (the platform's interval, judged on event times) stands
  // over ImGui's own, which measures frame times and misses one on a busy machine.
  for (int b = 0; b < 3; ++b)
    if (doubleClickUnseen_[b] && io.MouseClicked[b] && io.MouseClickedCount[b] < 2) {
      io.MouseDoubleClicked[b] = true;  // IsMouseDoubleClicked reads the count
      io.MouseClickedCount[b] = 2;
    }
  std::fill(std::begin(doubleClickUnseen_), std::end(doubleClickUnseen_), false);
  std::fill(std::begin(pressUnseen_), std::end(pressUnseen_), false);
  keysUnseen_.clear();
  ImGui::SetNextWindowPos(ImVec2(0, 0));
  ImGui::SetNextWindowSize(io.DisplaySize);
  ImGui::Begin("##canvas", nullptr,
               ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoBringToFrontOnFocus |
                   ImGuiWindowFlags_NoScrollWithMouse);
  drawUi();
  ImGui::End();
  ImGui::Render();

  const QColor clear = palette().color(QPalette::Window);
  QOpenGLFunctions* gl = QOpenGLContext::currentContext()->functions();
  gl->glClearColor(static_cast<float>(clear.redF()), static_cast<float>(clear.greenF()), static_cast<float>(clear.blueF()), 1.0f);
  gl->glClear(GL_COLOR_BUFFER_BIT);
  ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());

  switch (ImGui::GetMouseCursor()) {
    case ImGuiMouseCursor_TextInput: setCursor(Qt::IBeamCursor); break;
    case ImGuiMouseCursor_ResizeEW: setCursor(Qt::SizeHorCursor); break;
    case ImGuiMouseCursor_ResizeNS: setCursor(Qt::SizeVerCursor); break;
    case ImGuiMouseCursor_Hand: setCursor(Qt::PointingHandCursor); break;
    default: unsetCursor(); break;
  }
  // Releases that came before any frame saw their press happen now, a frame later.
  for (int b = 0; b < 3; ++b)
    if (releaseDeferred_[b]) {
      io.MouseDown[b] = false;
      releaseDeferred_[b] = false;
      pendingFrames_ = std::max(pendingFrames_, 2);
    }
  for (int k : keyReleasesDeferred_) io.KeysDown[k] = false;
  if (!keyReleasesDeferred_.empty()) pendingFrames_ = std::max(pendingFrames_, 2);
  keyReleasesDeferred_.clear();
  // A held button (a slider being dragged) keeps the frames coming.
  if (io.MouseDown[0] || io.MouseDown[1] || io.MouseDown[2]) pendingFrames_ = std::max(pendingFrames_, 1);
  if (pendingFrames_ > 0) {
    --pendingFrames_;
    update();
  }
}

void ImGuiCanvas::requestFrames(int frames) {
  pendingFrames_ = std::max(pendingFrames_, frames);
  update();
}

QImage ImGuiCanvas::renderImage() {
  QImage image;
  for (int k = 0; k < 3; ++k) image = grabFramebuffer();
  return image;
}

void ImGuiCanvas::mouseMoveEvent(QMouseEvent* event) {
  useContext();
  ImGui::GetIO().MousePos = ImVec2(static_cast<float>(event->position().x()), static_cast<float>(event->position().y()));
  requestFrames();
}

// ImGui's index of a Qt mouse button; -1 for buttons ImGui does not track.
static int imguiButton(Qt::MouseButton b) { return b == Qt::LeftButton ? 0 : b == Qt::RightButton ? 1 : b == Qt::MiddleButton ? 2 : -1; }

void ImGuiCanvas::mouseButton(QMouseEvent* event, bool down) {
  useContext();
  ImGuiIO& io = ImGui::GetIO();
  io.MousePos = ImVec2(static_cast<float>(event->position().x()), static_cast<float>(event->position().y()));
  const int button = imguiButton(event->button());
  if (button >= 0) {
    if (down) {
      io.MouseDown[button] = true;
      pressUnseen_[button] = true;
      releaseDeferred_[button] = false;
    } else if (pressUnseen_[button]) {
      releaseDeferred_[button] = true;
    } else {
      io.MouseDown[button] = false;
    }
  }
  requestFrames();
}

void ImGuiCanvas::mousePressEvent(QMouseEvent* event) { mouseButton(event, true); }
void ImGuiCanvas::mouseReleaseEvent(QMouseEvent* event) { mouseButton(event, false); }
void ImGuiCanvas::mouseDoubleClickEvent(QMouseEvent* event) {
  const int button = imguiButton(event->button());
  if (button >= 0) doubleClickUnseen_[button] = true;
  mouseButton(event, true);
}

void ImGuiCanvas::wheelEvent(QWheelEvent* event) {
  useContext();
  ImGuiIO& io = ImGui::GetIO();
  io.MousePos = ImVec2(static_cast<float>(event->position().x()), static_cast<float>(event->position().y()));
  io.MouseWheel += static_cast<float>(event->angleDelta().y()) / 120.0f;
  io.MouseWheelH += static_cast<float>(event->angleDelta().x()) / 120.0f;
  event->accept();
  requestFrames();
}

void ImGuiCanvas::key(QKeyEvent* event, bool down) {
  useContext();
  ImGuiIO& io = ImGui::GetIO();
  const int index = keyIndex(event->key());
  if (index >= 0) {
    if (down) {
      io.KeysDown[index] = true;
      keysUnseen_.insert(index);
      keyReleasesDeferred_.erase(index);
    } else if (keysUnseen_.count(index)) {
      keyReleasesDeferred_.insert(index);
    } else {
      io.KeysDown[index] = false;
    }
  }
  if (down && !event->text().isEmpty() && event->text().at(0).isPrint()) io.AddInputCharactersUTF8(event->text().toUtf8().constData());
  requestFrames();
}

void ImGuiCanvas::keyPressEvent(QKeyEvent* event) { key(event, true); }
void ImGuiCanvas::keyReleaseEvent(QKeyEvent* event) { key(event, false); }

void ImGuiCanvas::leaveEvent(QEvent* event) {
  useContext();
  ImGui::GetIO().MousePos = ImVec2(-FLT_MAX, -FLT_MAX);
  requestFrames();
  QOpenGLWidget::leaveEvent(event);
}

void ImGuiCanvas::focusOutEvent(QFocusEvent* event) {
  useContext();
  ImGuiIO& io = ImGui::GetIO();
  std::fill(std::begin(io.KeysDown), std::end(io.KeysDown), false);
  std::fill(std::begin(io.MouseDown), std::end(io.MouseDown), false);
  keysUnseen_.clear();
  keyReleasesDeferred_.clear();
  std::fill(std::begin(pressUnseen_), std::end(pressUnseen_), false);
  std::fill(std::begin(releaseDeferred_), std::end(releaseDeferred_), false);
  requestFrames();
  QOpenGLWidget::focusOutEvent(event);
}

}  // namespace attnscope
