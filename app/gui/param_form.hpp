// A form generated from a variant's ParamSpec list: the GUI never lists a
// variant's parameters by hand.
#pragma once

#include <QWidget>
#include <string>
#include <utility>
#include <vector>

#include "attention/params.hpp"

class QFormLayout;

namespace attnscope {

class ParamForm : public QWidget {
  Q_OBJECT

 public:
  explicit ParamForm(QWidget* parent = nullptr);

  void setSchema(const std::vector<ParamSpec>& schema);
  // Current values as NAME=VALUE texts, ready for Params::assign.
  std::vector<std::string> assignments() const;
  // Applies them to params; throws Error naming the bad parameter.
  void applyTo(Params& params) const;
  // Shows the given values (a session, the command line); emits nothing.
  void setValues(const Params& params);
  QWidget* editor(const std::string& name) const;
  int fieldCount() const { return static_cast<int>(editors_.size()); }

 signals:
  void changed();

 private:
  struct Field {
    ParamSpec spec;
    QWidget* editor;
  };
  QFormLayout* layout_;
  std::vector<Field> editors_;
};

}  // namespace attnscope
