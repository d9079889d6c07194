// A Dear ImGui surface inside the Qt window: a QOpenGLWidget with its own
// ImGui context, fed Qt's mouse, wheel and key events, drawing with ImGui's
// OpenGL 3 renderer into the widget's framebuffer. Subclasses draw in
// drawUi(); the canvas repaints on input and for a few frames after (ImGui
// settles hover and layout over frames), never on a timer when idle.
//
// The font is Noto Sans CJK where installed (Latin, kana and the common
// simplified Chinese characters), so token labels and a Chinese interface
// draw their glyphs; any other character a subclass will draw can be added
// with addGlyphs().
#pragma once

#include <QElapsedTimer>
#include <QImage>
#include <QOpenGLWidget>
#include <QString>
#include <set>

struct ImGuiContext;

namespace attnscope {

class ImGuiCanvas : public QOpenGLWidget {
  Q_OBJECT

 public:
  explicit ImGuiCanvas(QWidget* parent = nullptr);
  ~ImGuiCanvas() override;

  // Characters beyond the built-in ranges that the canvas will draw.
  void addGlyphs(const QString& text);
  // Text to draw as ImGui's UTF-8, its characters added to the font first:
  // translated words may fall outside the common Chinese set.
  QByteArray uiText(const QString& text);
  // The canvas as drawn now (a few frames are run first so ImGui's layout settles).
  QImage renderImage();
  // Why the canvas cannot draw (no OpenGL 3 context, a failed renderer), or empty.
  QString failure() const { return failure_; }
  // Whether the font draws this character itself rather than a fallback
  // (true once a frame has built the font with it).
  bool hasGlyph(char32_t c) const;
  // The height of the font drawn, in logical pixels (0 before the first frame).
  float fontPixels() const;
  // Repaints now and for a few frames after.
  void requestFrames(int frames = 3);
  // Font height in logical pixels.
  static constexpr float kFontSize = 15.0f;

 signals:
  // The canvas cannot draw (emitted once, from its first paint).
  void failed(const QString& why);

 protected:
  // Between NewFrame and Render; the whole canvas is one window already begun.
  virtual void drawUi() = 0;

  void initializeGL() override;
  void paintGL() override;
  void mouseMoveEvent(QMouseEvent* event) override;
  void mousePressEvent(QMouseEvent* event) override;
  void mouseReleaseEvent(QMouseEvent* event) override;
  void mouseDoubleClickEvent(QMouseEvent* event) override;
  void wheelEvent(QWheelEvent* event) override;
  void keyPressEvent(QKeyEvent* event) override;
  void keyReleaseEvent(QKeyEvent* event) override;
  void leaveEvent(QEvent* event) override;
  void focusOutEvent(QFocusEvent* event) override;

  ImGuiContext* imguiContext() const { return context_; }

 private:
  void buildFonts();
  void useContext() const;
  void key(QKeyEvent* event, bool down);
  void mouseButton(QMouseEvent* event, bool down);

  ImGuiContext* context_ = nullptr;
  bool rendererReady_ = false;
  bool fontsDirty_ = true;
  QString failure_;
  std::set<char16_t> extraGlyphs_;
  QElapsedTimer clock_;
  double basePointSize_ = 0;   // the application's font size when the canvas was made: kFontSize matches it
  double builtPointSize_ = 0;  // the application's font size the ImGui font was built for
  int pendingFrames_ = 0;
  // ImGui 1.86 reads button and key state once a frame: a press and release
  // that arrive between two frames (a quick click, a typed key) would be lost,
  // so a release waits until a frame has seen the press.
  bool pressUnseen_[3] = {false, false, false};
  bool releaseDeferred_[3] = {false, false, false};
  std::set<int> keysUnseen_, keyReleasesDeferred_;
  bool doubleClickUnseen_[3] = {false, false, false};  // Qt said double-click; the next frame tells ImGui
};

}  // namespace attnscope
