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
class QListWidget;
class QProgressBar;
class QPushButton;
class QSpinBox;

namespace attnscope {

class CompareGrid;
class HeatmapView;
class ParamForm;
class RunController;

class MainWindow : public QMainWindow {
  Q_OBJECT

 public:
  explicit MainWindow(const AppOptions& options, QWidget* parent = nullptr);
  ~MainWindow() override;

  // The primary variant's map (the first panel of the compare area).
  HeatmapView* heatmap() const;
  CompareGrid* compareGrid() const { return grid_; }
  // Variant ids ticked in the "Compare with" list.
  std::vector<std::string> comparedVariants() const;
  void setComparedVariants(const std::vector<std::string>& ids);
  RunController* controller() const { return controller_; }
  // The spec the panels describe now.
  RunSpec currentSpec(QString* error) const;

 public slots:
  void runNow();
  // Uses a file as the input (any format the loaders read, chosen by content)
  // and runs; errors land in the metrics line like any other failure.
  void openFile(const QString& path);
  void chooseFile();

 signals:
  // Emitted after a result's map has been drawn (the screenshot waits for it).
  void mapDrawn();
  void runFailed(const QString& message);

 protected:
  void dragEnterEvent(QDragEnterEvent* event) override;
  void dropEvent(QDropEvent* event) override;

 private:
  void buildPanels();
  void loadSpecIntoPanels(const RunSpec& spec);
  void onVariantChanged();
  void onResult(int index, std::shared_ptr<const RunResult> result);
  void onItemFailed(int index, const QString& message);
  void onBatchDone();
  void onFailed(const QString& message, bool cancelled);

  AppOptions options_;
  RunController* controller_;
  CompareGrid* grid_;
  QListWidget* compareList_;
  bool batchHadResult_ = false;
  bool batchCancelled_ = false;
  QComboBox* sampleBox_;
  QString inputFile_;  // when set, the input instead of the sample
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
