#include "app_options.hpp"

#include "attention/registry.hpp"
#include "common/error.hpp"
#include "common/parse.hpp"

namespace attnscope {

QString appUsage() {
  return QStringLiteral(
      "usage: attnscope [--sample NAME | --input FILE] [--n N] [--heads H] [--d D] [--variant ID] [--param NAME=VALUE]...\n"
      "                 [--causal] [--head H] [--compare ID,ID,...] [--screenshot FILE.png]\n"
      "Opens the lab on the built-in sample and runs the chosen variant (default: dense).\n"
      "--screenshot saves the main window once the first map is drawn, then exits.\n");
}

std::optional<AppOptions> parseAppOptions(const QStringList& args, QString* error) {
  AppOptions o;
  o.spec.n = 1024;
  o.spec.repeats = 1;
  o.spec.warmup = 0;
  o.spec.attention = makeSpec("dense");
  QStringList params;
  auto fail = [&](const QString& message) {
    *error = message;
    return std::nullopt;
  };
  for (int i = 0; i < args.size(); ++i) {
    const QString flag = args[i];
    auto value = [&]() -> std::optional<QString> {
      if (i + 1 >= args.size()) return std::nullopt;
      return args[++i];
    };
    auto intValue = [&](int64_t min, int64_t max) -> std::optional<int64_t> {
      auto v = value();
      if (!v) return std::nullopt;
      auto parsed = parseInt(v->toStdString());
      if (!parsed || *parsed < min || *parsed > max) return std::nullopt;
      return parsed;
    };
    if (flag == "--screenshot") {
      auto v = value();
      if (!v) return fail("--screenshot: missing file name");
      o.screenshotPath = *v;
    } else if (flag == "--input") {
      auto v = value();
      if (!v) return fail("--input: missing file name");
      o.inputFile = *v;
    } else if (flag == "--sample") {
      auto v = value();
      if (!v) return fail("--sample: missing name");
      o.spec.sample = v->toStdString();
    } else if (flag == "--n") {
      auto v = intValue(1, 1 << 20);
      if (!v) return fail("--n: expected an integer in [1, 1048576]");
      o.spec.n = *v;
    } else if (flag == "--heads") {
      auto v = intValue(1, 64);
      if (!v) return fail("--heads: expected an integer in [1, 64]");
      o.spec.features.heads = static_cast<int>(*v);
    } else if (flag == "--d") {
      auto v = intValue(1, 1024);
      if (!v) return fail("--d: expected an integer in [1, 1024]");
      o.spec.features.d = static_cast<int>(*v);
    } else if (flag == "--head") {
      auto v = intValue(0, 63);
      if (!v) return fail("--head: expected an integer in [0, 63]");
      o.mapHead = static_cast<int>(*v);
    } else if (flag == "--variant") {
      auto v = value();
      if (!v) return fail("--variant: missing id");
      try {
        o.spec.attention = makeSpec(v->toStdString());
      } catch (const Error& e) {
        return fail(QString("--variant: %1").arg(e.what()));
      }
    } else if (flag == "--param") {
      auto v = value();
      if (!v) return fail("--param: missing NAME=VALUE");
      params << *v;
    } else if (flag == "--compare") {
      auto v = value();
      if (!v) return fail("--compare: missing comma-separated variant ids");
      for (const QString& id : v->split(',', Qt::SkipEmptyParts)) {
        if (!VariantRegistry::instance().find(id.trimmed().toStdString()))
          return fail(QString("--compare: unknown variant '%1'").arg(id.trimmed()));
        o.compare.push_back(id.trimmed().toStdString());
      }
    } else if (flag == "--causal") {
      o.spec.attention.causal = true;
    } else {
      return fail(QString("unknown argument '%1'\n%2").arg(flag, appUsage()));
    }
  }
  for (const QString& p : params) {
    try {
      o.spec.attention.params.assign(p.toStdString());
    } catch (const Error& e) {
      return fail(QString("--param: %1").arg(e.what()));
    }
  }
  if (o.mapHead >= o.spec.features.heads) return fail(QString("--head: %1 is not below --heads %2").arg(o.mapHead).arg(o.spec.features.heads));
  return o;
}

}  // namespace attnscope
