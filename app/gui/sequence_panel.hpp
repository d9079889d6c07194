// The sequence panel: which input (a built-in sample or a file), its crop n,
// the featurizer (heads, head width, positions) and the head shown. After a
// load it shows what the input really is: a Q/K/V file fixes heads and d, and
// the settings that no longer apply are disabled.
#pragma once

#include <QWidget>

#include "session_model.hpp"

class QComboBox;
class QLabel;
class QSpinBox;

namespace attnscope {

struct PreparedInput;

class SequencePanel : public QWidget {
  Q_OBJECT

 public:
  explicit SequencePanel(QWidget* parent = nullptr);

  // Input, n, features and head shown, into / from a session state.
  void writeTo(SessionState& state) const;
  void readFrom(const SessionState& state);
  // Reflects a loaded input (shape, where heads and d come from, crop).
  void showInput(const PreparedInput& input);
  // Adds a file to the input box and selects it (emits nothing).
  void addFile(const QString& path);
  void removeFile(const QString& path);

  QSpinBox* headsBox() const { return heads_; }
  QSpinBox* widthBox() const { return width_; }
  QSpinBox* lengthBox() const { return length_; }
  QSpinBox* mapHeadBox() const { return mapHead_; }
  QComboBox* inputBox() const { return input_; }
  QComboBox* positionsBox() const { return positions_; }
  QLabel* inputInfo() const { return info_; }
  // What the loader read differently from the file (missing values
  // interpolated, invalid UTF-8 read as Latin-1, a cap reached), one per line;
  // hidden when there is nothing to say.
  QLabel* inputWarnings() const { return warnings_; }

 signals:
  void changed();
  void openRequested();

 private:
  void enableFeaturizer(bool enabled, const QString& why);
  QComboBox* input_;
  QSpinBox* length_;
  QSpinBox* heads_;
  QSpinBox* width_;
  QComboBox* positions_;
  QSpinBox* mapHead_;
  QLabel* info_;
  QLabel* warnings_;
};

}  // namespace attnscope
