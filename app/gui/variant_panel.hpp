// The variant panel: a checklist of every registered variant (the compare
// columns) and, for the selected one, its parameter form generated from its
// ParamSpec list. Nothing here lists variants by hand.
#pragma once

#include <QWidget>
#include <map>
#include <string>
#include <vector>

#include "attention/variant.hpp"

class QCheckBox;
class QComboBox;
class QListWidget;
class QStackedWidget;

namespace attnscope {

class ParamForm;

class VariantPanel : public QWidget {
  Q_OBJECT

 public:
  explicit VariantPanel(QWidget* parent = nullptr);

  // Checked variant ids, in registry order.
  std::vector<std::string> checkedVariants() const;
  void setCheckedVariants(const std::vector<std::string>& ids);
  // The variant's spec with the form's values; throws Error naming a bad parameter.
  AttentionSpec specFor(const std::string& id) const;
  // Shows spec's parameters in its variant's form (emits nothing).
  void setSpec(const AttentionSpec& spec);
  bool causal() const;
  void setCausal(bool causal);
  // The arithmetic every column runs in (fp32 or bf16; a backend without bf16
  // for a variant says so in that column).
  Precision precision() const;
  void setPrecision(Precision precision);
  // Shows the form of a variant.
  void selectVariant(const std::string& id);
  ParamForm* form(const std::string& id) const;

 signals:
  void changed();

 private:
  QListWidget* list_;
  QStackedWidget* forms_;
  QCheckBox* causal_;
  QComboBox* precision_;
  std::map<std::string, ParamForm*> formOf_;
};

}  // namespace attnscope
