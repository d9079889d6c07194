// The main window: sequence and variant settings on the left, the map in the
// middle, metrics below, progress and Cancel in the status bar.
#pragma once

#include <QMainWindow>
#include <memory>

#include "app_options.hpp"
#include "experiment/run.hpp"

class QCheckBox;
class QComboBox;
class QLabel;
class QProgressBar;
class QPushButton;
class QSpinBox;

namespace attnscope {

class HeatmapView;
class ParamForm;
class RunController;

class MainWindow : public QMainWindow {
  Q_OBJECT

 public:
  explicit MainWindow(const AppOptions& options, QWidget* parent = nullptr);
  ~MainWindow() override;

  HeatmapView* heatmap() const { return heatmap_; }
  RunController* controller() const { return controller_; }
  // The spec the panels describe now.
  RunSpec currentSpec(QString* error) const;

 public slots:
  void runNow();

 signals:
  // Emitted after a result's map has been drawn (the screenshot waits for it).
  void mapDrawn();
  void runFailed(const QString& message);

 private:
  void buildPanels();
  void loadSpecIntoPanels(const RunSpec& spec);
  void onVariantChanged();
  void onFinished(std::shared_ptr<const RunResult> result);
  void onFailed(const QString& message, bool cancelled);

  AppOptions options_;
  RunController* controller_;
  HeatmapView* heatmap_;
  QComboBox* sampleBox_;
  QSpinBox* lengthBox_;
  QSpinBox* headsBox_;
  QSpinBox* widthBox_;
  QComboBox* positionsBox_;
  QCheckBox* causalBox_;
  QSpinBox* mapHeadBox_;
  QComboBox* variantBox_;
  ParamForm* paramForm_;
  QPushButton* runButton_;
  QPushButton* cancelButton_;
  QLabel* metrics_;
  QLabel* statusText_;
  QProgressBar* progress_;
};

}  // namespace attnscope
