#include "procmatch/text_analyzer.h"

#include <libstemmer.h>

#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "procmatch/internal/stop_words.h"
#include "procmatch/utf8.h"

namespace procmatch {
namespace {

// Upper to lower case for the scripts EU procurement text uses (Latin,
// Greek, Cyrillic); other code points are returned unchanged.
char32_t ToLower(char32_t c) {
  if (c < 0x80) return (c >= 'A' && c <= 'Z') ? c + 32 : c;
  if ((c >= 0xC0 && c <= 0xDE && c != 0xD7)) return c + 0x20;
  if (c >= 0x100 && c <= 0x17F) {
    // Latin Extended-A alternates upper/lower, with a shift at 0x139-0x148
    // and 0x179-0x17E.
    if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E)) {
      return (c % 2 == 1) ? c + 1 : c;
    }
    if (c == 0x178) return 0xFF;
    return (c % 2 == 0) ? c + 1 : c;
  }
  if (c >= 0x391 && c <= 0x3AB && c != 0x3A2) return c + 0x20;
  if (c >= 0x386 && c <= 0x38F) {
    switch (c) {
      case 0x386:
        return 0x3AC;
      case 0x388:
        return 0x3AD;
      case 0x389:
        return 0x3AE;
      case 0x38A:
        return 0x3AF;
      case 0x38C:
        return 0x3CC;
      case 0x38E:
        return 0x3CD;
      case 0x38F:
        return 0x3CE;
      default:
        return c;
    }
  }
  if (c >= 0x410 && c <= 0x42F) return c + 0x20;
  if (c >= 0x400 && c <= 0x40F) return c + 0x50;
  return c;
}

// ASCII replacement of an accented Latin letter (U+00C0 to U+017F, from the
// Unicode canonical decompositions, plus ß→ss, æ→ae, œ→oe, ø→o, ł→l, þ→th),
// or nullptr for any other code point.
const char* FoldAccent(char32_t c) {
  static const char* const kLatin[] = {
      "a", "a", "a",  "a",  "a", "a", "ae", "c",  "e", "e", "e",  "e", "i", "i",
      "i", "i", "d",  "n",  "o", "o", "o",  "o",  "o", "",  "o",  "u", "u", "u",
      "u", "y", "th", "ss", "a", "a", "a",  "a",  "a", "a", "ae", "c", "e", "e",
      "e", "e", "i",  "i",  "i", "i", "d",  "n",  "o", "o", "o",  "o", "o", "",
      "o", "u", "u",  "u",  "u", "y", "th", "y",  "a", "a", "a",  "a", "a", "a",
      "c", "c", "c",  "c",  "c", "c", "c",  "c",  "d", "d", "d",  "d", "e", "e",
      "e", "e", "e",  "e",  "e", "e", "e",  "e",  "g", "g", "g",  "g", "g", "g",
      "g", "g", "h",  "h",  "h", "h", "i",  "i",  "i", "i", "i",  "i", "i", "i",
      "i", "i", "ij", "ij", "j", "j", "k",  "k",  "k", "l", "l",  "l", "l", "l",
      "l", "l", "l",  "l",  "l", "n", "n",  "n",  "n", "n", "n",  "n", "n", "n",
      "o", "o", "o",  "o",  "o", "o", "oe", "oe", "r", "r", "r",  "r", "r", "r",
      "s", "s", "s",  "s",  "s", "s", "s",  "s",  "t", "t", "t",  "t", "t", "t",
      "u", "u", "u",  "u",  "u", "u", "u",  "u",  "u", "u", "u",  "u", "w", "w",
      "y", "y", "y",  "z",  "z", "z", "z",  "z",  "z", "s",
  };
  if (c < 0xC0 || c > 0x17F) return nullptr;
  const char* folded = kLatin[c - 0xC0];
  return folded[0] == '\0' ? nullptr : folded;
}

std::string FoldAccents(absl::string_view lower) {
  std::string out;
  out.reserve(lower.size());
  size_t pos = 0;
  while (pos < lower.size()) {
    const char32_t c = DecodeUtf8(lower, &pos);
    const char* folded = FoldAccent(c);
    if (folded != nullptr) {
      out.append(folded);
    } else {
      AppendUtf8(c, &out);
    }
  }
  return out;
}

// Letters and digits of any script count as word characters; so does the
// apostrophe-free rest of the Unicode letter ranges we fold.
bool IsWordChar(char32_t c) {
  if (c < 0x80) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9');
  }
  if (c == 0xD7 || c == 0xF7) return false;  // × ÷
  return (c >= 0xC0 && c <= 0x24F) || (c >= 0x370 && c <= 0x3FF) ||
         (c >= 0x400 && c <= 0x4FF);
}

bool IsConnector(char32_t c) { return c == '-' || c == '.' || c == '/'; }

// Every EU language's stop words (internal/stop_words.h).
const absl::flat_hash_map<std::string, absl::flat_hash_set<std::string>>&
Stopwords() {
  return internal::StopWordLists();
}

struct StemmerDeleter {
  void operator()(sb_stemmer* s) const { sb_stemmer_delete(s); }
};

// This thread's stemmer for `language`, or nullptr when there is none.
sb_stemmer* ThreadStemmer(absl::string_view language) {
  thread_local absl::flat_hash_map<std::string,
                                   std::unique_ptr<sb_stemmer, StemmerDeleter>>
      stemmers;
  auto it = stemmers.find(language);
  if (it == stemmers.end()) {
    sb_stemmer* s = nullptr;
    // Two-letter ISO 639-1 codes only: libstemmer also knows names such as
    // "porter" that are not languages.
    if (language.size() == 2) {
      s = sb_stemmer_new(std::string(language).c_str(), "UTF_8");
    }
    it = stemmers
             .emplace(std::string(language),
                      std::unique_ptr<sb_stemmer, StemmerDeleter>(s))
             .first;
  }
  return it->second.get();
}

// Splits lower-cased text into raw tokens; a run of word characters joined
// by single connectors ("aqap-2110", "5.56") is one token.
std::vector<std::string> Tokenize(absl::string_view lower) {
  std::vector<std::string> tokens;
  std::string current;
  size_t pos = 0;
  char32_t pending_connector = 0;
  while (pos < lower.size()) {
    const char32_t c = DecodeUtf8(lower, &pos);
    if (IsWordChar(c)) {
      if (pending_connector != 0) {
        AppendUtf8(pending_connector, &current);
        pending_connector = 0;
      }
      AppendUtf8(c, &current);
    } else if (IsConnector(c) && !current.empty() && pending_connector == 0) {
      pending_connector = c;
    } else {
      if (!current.empty()) tokens.push_back(std::move(current));
      current.clear();
      pending_connector = 0;
    }
  }
  if (!current.empty()) tokens.push_back(std::move(current));
  return tokens;
}

bool HasDigit(absl::string_view s) {
  for (char c : s) {
    if (c >= '0' && c <= '9') return true;
  }
  return false;
}

std::string Lower(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t pos = 0;
  while (pos < text.size()) AppendUtf8(ToLower(DecodeUtf8(text, &pos)), &out);
  return out;
}

void AddWord(absl::string_view word, absl::string_view language,
             const absl::flat_hash_set<std::string>* stopwords,
             sb_stemmer* stemmer, std::vector<std::string>* terms) {
  if (word.empty()) return;
  if (stopwords != nullptr && stopwords->contains(word)) return;
  if (word.size() == 1) return;
  std::string stem(word);
  if (stemmer != nullptr) {
    const sb_symbol* s = sb_stemmer_stem(
        stemmer, reinterpret_cast<const sb_symbol*>(word.data()),
        static_cast<int>(word.size()));
    if (s != nullptr) {
      stem.assign(reinterpret_cast<const char*>(s), sb_stemmer_length(stemmer));
    }
  }
  terms->push_back(FoldAccents(stem));
}

}  // namespace

std::string FoldText(absl::string_view text) {
  return FoldAccents(Lower(text));
}

bool HasStemmer(absl::string_view language) {
  return ThreadStemmer(language) != nullptr;
}

absl::StatusOr<std::vector<std::string>> AnalyzeText(
    absl::string_view text, absl::string_view language) {
  const ptrdiff_t bad = FirstInvalidUtf8Offset(text);
  if (bad >= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("text is not valid UTF-8 (byte ", bad, ")"));
  }
  const auto& all = Stopwords();
  auto sw = all.find(language);
  const absl::flat_hash_set<std::string>* stopwords =
      sw == all.end() ? nullptr : &sw->second;
  sb_stemmer* stemmer = ThreadStemmer(language);
  std::vector<std::string> terms;
  for (std::string& token : Tokenize(Lower(text))) {
    if (HasDigit(token)) {
      // A code: kept whole, only accent-folded.
      if (token.size() >= 2) terms.push_back(FoldAccents(token));
      continue;
    }
    // A hyphenated or dotted word without digits: its parts are words.
    for (absl::string_view part :
         absl::StrSplit(token, absl::ByAnyChar("-./"))) {
      AddWord(part, language, stopwords, stemmer, &terms);
    }
  }
  return terms;
}

std::string GuessLanguage(absl::string_view text) {
  if (!IsValidUtf8(text)) return "en";
  const auto& all = Stopwords();
  std::string best = "en";
  int best_hits = 0;
  const std::vector<std::string> tokens = Tokenize(Lower(text));
  for (const char* lang : {"en", "fr", "nl", "de"}) {
    const auto& set = all.at(lang);
    int hits = 0;
    for (const std::string& t : tokens) hits += set.contains(t) ? 1 : 0;
    if (hits > best_hits) {
      best_hits = hits;
      best = lang;
    }
  }
  return best;
}

}  // namespace procmatch
