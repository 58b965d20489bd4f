// procmatch suggest-cpv [--lang=xx] [--top=N] TEXT...: the CPV codes of a
// free-text description, in any of the 24 EU languages
// (doc/cross_language.md). One suggestion per line, the 8-digit code first,
// then its label in the text's language and in English, then the evidence:
// a table on a terminal, JSON Lines in a pipe.
#include <unistd.h>

#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "examples/commands.h"
#include "examples/render.h"
#include "procmatch/cpv_concepts.h"

namespace procmatch {
namespace cli {
namespace {

constexpr int kMaxTop = 100;

std::string JsonString(absl::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      absl::StrAppendFormat(&out, "\\u%04x", c);
    } else {
      out += c;
    }
  }
  return out + "\"";
}

// "drones ~ drone (fr label)", "dron (fr notices)".
std::string EvidenceText(const ConceptEvidence& e) {
  if (e.source == ConceptSource::kNotices) {
    return absl::StrCat(e.word, " (", e.language, " notices)");
  }
  return absl::StrCat(e.word, e.word == e.label_word ? "" : " ~ ",
                      e.word == e.label_word ? "" : e.label_word, " (",
                      e.language, " label)");
}

std::string JsonLine(const CpvConcepts& concepts, const CpvSuggestion& s) {
  std::vector<std::string> evidence;
  for (const ConceptEvidence& e : s.evidence) {
    evidence.push_back(absl::StrCat(
        "{\"word\":", JsonString(e.word),
        ",\"label_word\":", JsonString(e.label_word),
        ",\"language\":", JsonString(e.language), ",\"source\":",
        e.source == ConceptSource::kLabel ? "\"label\"" : "\"notices\"",
        absl::StrFormat(",\"weight\":%.4g}", e.weight)));
  }
  return absl::StrCat(
      "{\"code\":", JsonString(concepts.cpv().WithCheckDigit(s.code)),
      ",\"label\":", JsonString(s.label),
      ",\"label_en\":", JsonString(s.label_en),
      ",\"language\":", JsonString(s.language),
      absl::StrFormat(",\"score\":%.4g", s.score), ",\"evidence\":[",
      absl::StrJoin(evidence, ","), "]}");
}

}  // namespace

int RunSuggestCpv(const Args& args) {
  const std::string text = absl::StrJoin(args.files, " ");
  if (text.empty()) {
    std::cerr << "procmatch suggest-cpv: no TEXT to suggest codes for\n";
    return 2;
  }
  int top = 5;
  if (args.Has("top") && (!absl::SimpleAtoi(args.Get("top", ""), &top) ||
                          top < 1 || top > kMaxTop)) {
    std::cerr << "procmatch suggest-cpv: --top must be 1 to " << kMaxTop
              << ", not \"" << args.Get("top", "") << "\"\n";
    return 2;
  }
  const std::string output = args.Get("output", isatty(1) ? "table" : "jsonl");
  if (output != "table" && output != "jsonl") {
    std::cerr << "procmatch suggest-cpv: --output must be table or jsonl\n";
    return 2;
  }
  const CpvConcepts& concepts = CpvConcepts::Builtin();
  absl::StatusOr<std::vector<CpvSuggestion>> suggestions =
      concepts.Suggest(text, args.Get("lang", ""), top);
  if (!suggestions.ok()) {
    std::cerr << "procmatch suggest-cpv: " << suggestions.status().message()
              << "\n";
    return 1;
  }
  if (output == "jsonl") {
    for (const CpvSuggestion& s : *suggestions) {
      std::cout << JsonLine(concepts, s) << "\n";
    }
    return 0;
  }
  if (suggestions->empty()) {
    std::cout << "no CPV code has evidence in this text\n";
    return 0;
  }
  std::cout << "language: " << (*suggestions)[0].language << "\n"
            << Cell("code", 11) << "  " << Cell("label", 34) << "  "
            << Cell("label (en)", 34) << "  evidence\n";
  for (const CpvSuggestion& s : *suggestions) {
    std::vector<std::string> evidence;
    for (size_t i = 0; i < s.evidence.size() && i < 4; ++i) {
      evidence.push_back(EvidenceText(s.evidence[i]));
    }
    std::cout << Cell(concepts.cpv().WithCheckDigit(s.code), 11) << "  "
              << Cell(s.label, 34) << "  " << Cell(s.label_en, 34) << "  "
              << absl::StrJoin(evidence, "; ") << "\n";
  }
  return 0;
}

}  // namespace cli
}  // namespace procmatch
