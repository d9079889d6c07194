// attnscope-cli lesson: checks lesson files (every field, variant and
// parameter, as the window reads them) and lists their steps. The window
// renders a lesson's steps to PNGs (attnscope --lesson FILE --lesson-shots DIR).
#include <cstdio>
#include <string>
#include <vector>

#include "cli_args.hpp"
#include "lesson/lesson.hpp"

namespace attnscope::cli {

std::string lessonUsage() {
  return "usage: attnscope-cli lesson --file LESSON.json [--file ...] [--lang en|zh_CN]\n"
         "Checks each lesson (fields, variants, parameters, presets) and lists its steps;\n"
         "exits 1 naming the file, the step and the field of the first problem.\n"
         "  --file FILE   a lesson JSON file (docs/lessons.md); repeat for several\n"
         "  --lang LANG   the language the titles are listed in (default en)\n"
         "Render the steps as pictures with the window: attnscope --lesson FILE --lesson-shots DIR\n";
}

int runLessonCommand(Args& args) {
  std::vector<std::string> files;
  std::string language = "en";
  while (!args.empty()) {
    const std::string flag = args.nextFlag();
    if (flag == "--file") files.push_back(args.value(flag));
    else if (flag == "--lang") language = args.value(flag);
    else throw UsageError{"unknown flag " + flag + " (see attnscope-cli lesson --help)"};
  }
  if (files.empty()) throw UsageError{"lesson: name at least one --file"};
  for (const std::string& file : files) {
    const Lesson lesson = loadLessonFile(file);
    std::printf("%s: %s (%zu steps)\n", lesson.id.c_str(), lesson.title.in(language).c_str(), lesson.steps.size());
    for (size_t k = 0; k < lesson.steps.size(); ++k) {
      const LessonStep& s = lesson.steps[k];
      std::string variants;
      for (const AttentionSpec& v : s.preset.variants) variants += (variants.empty() ? "" : ",") + v.variant;
      std::printf("  %2zu. [%s]%s%s %s\n", k + 1, s.view.c_str(), variants.empty() ? "" : " ", variants.c_str(), s.title.in(language).c_str());
    }
  }
  return 0;
}

}  // namespace attnscope::cli
