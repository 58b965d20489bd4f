#include "procmatch/text_analyzer.h"

#include <libstemmer.h>

#include <array>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "procmatch/internal/stop_words.h"
#include "procmatch/utf8.h"

namespace procmatch {
namespace internal {
extern const char kLanguageProfilesTsv[];
}  // namespace internal

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

// The stop words of `language`, or nullptr when it has none.
const absl::flat_hash_set<std::string>* StopwordsOf(
    absl::string_view language) {
  auto it = Stopwords().find(language);
  return it == Stopwords().end() ? nullptr : &it->second;
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

}  // namespace

namespace internal {

std::string LowerByRune(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t pos = 0;
  while (pos < text.size()) {
    AppendUtf8(ToLower(DecodeUtf8(text, &pos)), &out);
  }
  return out;
}

}  // namespace internal

namespace {

// FoldAccents with a shortcut for ASCII words, which it leaves unchanged.
std::string FoldWord(absl::string_view word) {
  for (char c : word) {
    if (static_cast<unsigned char>(c) >= 0x80) return FoldAccents(word);
  }
  return std::string(word);
}

// ToLower of a rune of two UTF-8 bytes (U+0080 to U+07FF), encoded, and
// FoldAccent of that, encoded: each is two bytes or fewer (the lower case
// of a two-byte rune is a two-byte rune; an accent folds to one or two
// ASCII letters).
struct TwoByteRuneForms {
  char lower[2];
  char folded[2];
  uint8_t folded_size;
};

// The forms of every rune of two bytes, indexed by code point, made once
// per process from ToLower and FoldAccent themselves.
const TwoByteRuneForms* TwoByteRunes() {
  static const TwoByteRuneForms* const table = [] {
    auto* forms = new TwoByteRuneForms[0x800]();
    std::string lower;
    for (char32_t c = 0x80; c < 0x800; ++c) {
      lower.clear();
      AppendUtf8(ToLower(c), &lower);
      const char* accent = FoldAccent(ToLower(c));
      const absl::string_view folded = accent != nullptr
                                           ? absl::string_view(accent)
                                           : absl::string_view(lower);
      if (lower.size() != 2 || folded.size() > 2) {
        // LowerAndFold writes each rune's forms in place of its two bytes.
        std::fputs("procmatch: a two-byte rune lower-cases or folds longer\n",
                   stderr);
        std::abort();
      }
      memcpy(forms[c].lower, lower.data(), 2);
      memcpy(forms[c].folded, folded.data(), folded.size());
      forms[c].folded_size = static_cast<uint8_t>(folded.size());
    }
    return forms;
  }();
  return table;
}

}  // namespace

namespace internal {

bool LowerAndFold(absl::string_view text, std::string* lower,
                  std::string* folded) {
  // Neither form is longer than the text: ASCII and runes of three and
  // four bytes keep their bytes (ToLower and FoldAccent change no rune
  // above U+07FF), runes of two bytes have forms of two bytes or fewer.
  const size_t n = text.size();
  lower->resize(n);
  if (folded != nullptr) folded->resize(n);
  const unsigned char* in = reinterpret_cast<const unsigned char*>(text.data());
  char* low = &(*lower)[0];
  char* fold = folded != nullptr ? &(*folded)[0] : nullptr;
  const TwoByteRuneForms* two_byte = TwoByteRunes();
  size_t i = 0;
  size_t f = 0;  // Bytes of `*folded` written; never more than `i`.
  while (i < n) {
    // Eight ASCII bytes at once: most of a notice's text.
    if (i + 8 <= n) {
      uint64_t word;
      memcpy(&word, in + i, 8);
      if (AllAscii(word)) {
        word = LowerAscii(word);
        memcpy(low + i, &word, 8);
        if (fold != nullptr) memcpy(fold + f, &word, 8);
        i += 8;
        f += 8;
        continue;
      }
    }
    const unsigned char b = in[i];
    if (b < 0x80) {
      const char l = static_cast<char>(b >= 'A' && b <= 'Z' ? b + 0x20 : b);
      low[i++] = l;
      if (fold != nullptr) fold[f++] = l;
      continue;
    }
    // Two bytes (accents, Greek, Cyrillic: most runes above ASCII) are
    // well-formed when the lead is U+0080 or more and a continuation
    // follows.
    if (b >= 0xC2 && b < 0xE0 && i + 1 < n && (in[i + 1] & 0xC0) == 0x80) {
      const TwoByteRuneForms& r =
          two_byte[((b & 0x1Fu) << 6) | (in[i + 1] & 0x3Fu)];
      memcpy(low + i, r.lower, 2);
      if (fold != nullptr) {
        memcpy(fold + f, r.folded, 2);  // f + 2 <= i + 2 <= n.
        f += r.folded_size;
      }
      i += 2;
      continue;
    }
    // What FirstInvalidUtf8Offset finds DecodeUtf8 reads as a one-byte
    // U+FFFD (a well-formed U+FFFD has three).
    const size_t at = i;
    if (DecodeUtf8(text, &i) == kReplacementCharacter && i == at + 1) {
      return false;
    }
    memcpy(low + at, in + at, i - at);
    if (fold != nullptr) {
      memcpy(fold + f, in + at, i - at);
      f += i - at;
    }
  }
  if (folded != nullptr) folded->resize(f);
  return true;
}

}  // namespace internal

namespace {

// The text lower-cased into `*lower` and, when `folded` is given, folded
// into it (internal::LowerAndFold); AnalyzeText's error, which names the
// offset of the first byte that is not well-formed UTF-8, otherwise.
absl::Status LowerForAnalysis(absl::string_view text, std::string* lower,
                              std::string* folded = nullptr) {
  if (internal::LowerAndFold(text, lower, folded)) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(
      "text is not valid UTF-8 (byte ", FirstInvalidUtf8Offset(text), ")"));
}

// What the tokeniser makes of each byte: IsWordChar's ASCII letters and
// digits, IsConnector's connectors, the other ASCII bytes, and the bytes
// of longer runes, which it decodes.
enum class ByteClass : uint8_t { kOther, kLetter, kDigit, kConnector, kRune };

constexpr std::array<ByteClass, 256> ByteClasses() {
  std::array<ByteClass, 256> classes{};
  for (int c = 0; c < 256; ++c) {
    if (c >= 0x80) {
      classes[c] = ByteClass::kRune;
    } else if (c >= '0' && c <= '9') {
      classes[c] = ByteClass::kDigit;
    } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
      classes[c] = ByteClass::kLetter;
    } else if (c == '-' || c == '.' || c == '/') {
      classes[c] = ByteClass::kConnector;
    }
  }
  return classes;
}
constexpr std::array<ByteClass, 256> kByteClasses = ByteClasses();

// The class of the rune at `pos` of `text` (kLetter for any IsWordChar but
// an ASCII digit), and in `*next` where the next one starts, as DecodeUtf8
// reads it: a rune of two bytes is decoded in place, longer ones and bytes
// that are not well-formed by DecodeUtf8.
inline ByteClass RuneClassAt(absl::string_view text, size_t pos, size_t* next) {
  const unsigned char* in = reinterpret_cast<const unsigned char*>(text.data());
  const unsigned char byte = in[pos];
  const ByteClass c = kByteClasses[byte];
  if (c != ByteClass::kRune) {
    *next = pos + 1;
    return c;
  }
  char32_t rune;
  if (byte >= 0xC2 && byte < 0xE0 && pos + 1 < text.size() &&
      (in[pos + 1] & 0xC0) == 0x80) {
    rune = ((byte & 0x1Fu) << 6) | (in[pos + 1] & 0x3Fu);
    *next = pos + 2;
  } else {
    *next = pos;
    rune = DecodeUtf8(text, next);
  }
  return IsWordChar(rune) ? ByteClass::kLetter : ByteClass::kOther;
}

inline bool IsWordClass(ByteClass c) {
  return c == ByteClass::kLetter || c == ByteClass::kDigit;
}

// Calls `emit(token, has_digit, joined)` with each raw token of lower-cased
// text, as a view into it, whether it holds an ASCII digit (the only digits
// IsWordChar knows) and whether it holds a connector: the tokens of
// Tokenize() (a run of word characters joined by single connectors), which
// are contiguous spans, read without building them, the runs of ASCII
// letters inside a token and of other ASCII bytes between tokens a byte at
// a time by a table.
template <typename Emit>
void ForEachTokenSpan(absl::string_view lower, Emit emit) {
  const unsigned char* in =
      reinterpret_cast<const unsigned char*>(lower.data());
  const size_t n = lower.size();
  size_t pos = 0;
  while (pos < n) {
    while (pos < n && (kByteClasses[in[pos]] == ByteClass::kOther ||
                       kByteClasses[in[pos]] == ByteClass::kConnector)) {
      ++pos;
    }
    if (pos == n) return;
    size_t next;
    ByteClass c = RuneClassAt(lower, pos, &next);
    if (!IsWordClass(c)) {
      pos = next;
      continue;
    }
    const size_t start = pos;
    bool has_digit = c == ByteClass::kDigit;
    bool joined = false;
    size_t end = next;  // After the token's last word character.
    pos = next;
    while (pos < n) {
      while (pos < n && kByteClasses[in[pos]] == ByteClass::kLetter) ++pos;
      end = pos;
      if (pos == n) break;
      c = RuneClassAt(lower, pos, &next);
      if (IsWordClass(c)) {
        has_digit |= c == ByteClass::kDigit;
        pos = end = next;
        continue;
      }
      // A single connector between two word characters joins them.
      if (c != ByteClass::kConnector || next == n) break;
      size_t after;
      const ByteClass d = RuneClassAt(lower, next, &after);
      if (!IsWordClass(d)) break;
      joined = true;
      has_digit |= d == ByteClass::kDigit;
      pos = end = after;
    }
    // Reading goes on at the rune that ended the token: not a word
    // character, so no token starts there.
    emit(lower.substr(start, end - start), has_digit, joined);
  }
}

// The folded stem of `word` by `stemmer`.
std::string Stem(absl::string_view word, sb_stemmer* stemmer) {
  const sb_symbol* s =
      sb_stemmer_stem(stemmer, reinterpret_cast<const sb_symbol*>(word.data()),
                      static_cast<int>(word.size()));
  if (s == nullptr) return FoldWord(word);  // Out of memory: the word.
  return FoldWord(absl::string_view(reinterpret_cast<const char*>(s),
                                    sb_stemmer_length(stemmer)));
}

// What a thread remembers of one word of a language: its folded stem, its
// folded form, whether it is a stop word and the ids of both forms in the
// last TermVocabulary that asked (first: with the key, in the slot's first
// cache line), so that a word met before costs one lookup.
struct MemoWord {
  uint64_t owner = 0;  // TermVocabulary::owner of the ids; 0: none.
  int32_t plain_id = -1;
  int32_t stemmed_id = -1;
  // In the language's stop words. Beside the ids: a walk that wants only
  // ids reads the key and these (the slot's first 49 bytes), not the
  // strings after them.
  bool stop = false;
  std::string stem;   // StemOf(word, stemmer).
  std::string plain;  // FoldWord(word).
};

// Each thread's words, per language: at most kStemMemoEntries words of at
// most kStemMemoWordBytes in all, all forgotten when that many are held.
using StemMemo = absl::flat_hash_map<std::string, MemoWord>;
struct StemMemos {
  absl::flat_hash_map<std::string, std::unique_ptr<StemMemo>> by_language;
  int entries = 0;  // Words held, in every language.
};

StemMemos& ThreadStemMemos() {
  thread_local StemMemos memos;
  return memos;
}

// This thread's memo of words in `language`.
StemMemo& ThreadStemMemo(absl::string_view language) {
  std::unique_ptr<StemMemo>& memo = ThreadStemMemos().by_language[language];
  if (memo == nullptr) memo = std::make_unique<StemMemo>();
  return *memo;
}

// The folded stem of `word` by `stemmer`; the folded word itself for a
// language without a stemmer.
std::string StemOf(absl::string_view word, sb_stemmer* stemmer) {
  if (stemmer == nullptr) return FoldWord(word);
  return Stem(word, stemmer);
}

// True on a thread while a TermVocabulary function runs for a word of the
// memo: the walk then holds a reference into the memo, which a word learnt
// (or the memo-wide clear below, in any language) would invalidate.
thread_local bool vocabulary_call_in_walk = false;

// The MemoWord of `word` in `memo`'s language (whose `stemmer` and
// `stopwords`, which may be null, are given), remembered in `memo`; a word
// too long to remember is analysed into `*scratch`. Valid until the next
// call.
MemoWord& MemoizedWord(StemMemo& memo, absl::string_view word,
                       sb_stemmer* stemmer,
                       const absl::flat_hash_set<std::string>* stopwords,
                       MemoWord* scratch) {
  if (vocabulary_call_in_walk) {
    // A broken TermVocabulary contract (text_analyzer.h): fail here, every
    // time, rather than write through a dangling reference.
    std::fputs(
        "procmatch: a TermVocabulary function analysed text during the "
        "analysis that called it\n",
        stderr);
    std::abort();
  }
  auto it = memo.find(word);
  if (it != memo.end()) return it->second;
  MemoWord analysed;
  analysed.stem = StemOf(word, stemmer);
  analysed.plain = FoldWord(word);
  analysed.stop = stopwords != nullptr && stopwords->contains(word);
  if (word.size() > kStemMemoWordBytes) {  // Bounds the bytes.
    *scratch = std::move(analysed);
    return *scratch;
  }
  StemMemos& memos = ThreadStemMemos();
  if (memos.entries >= kStemMemoEntries) {
    for (auto& [unused, m] : memos.by_language) m->clear();
    memos.entries = 0;
  }
  ++memos.entries;
  return memo.emplace(word, std::move(analysed)).first->second;
}

// The analysis walk over lower-cased text: `code(token)` for each token of
// two bytes or more that has a digit (a code, kept whole), `word(part)` for
// each part of two bytes or more of the other tokens, split at their
// connectors ("anti-drone" is "anti" and "drone"). Empty and one-byte words
// carry nothing.
template <typename Code, typename Word>
void ForEachCodeAndWord(absl::string_view lower, Code code, Word word) {
  ForEachTokenSpan(
      lower, [&](absl::string_view token, bool has_digit, bool joined) {
        if (has_digit) {
          if (token.size() >= 2) code(token);
          return;
        }
        if (!joined) {
          if (token.size() >= 2) word(token);
          return;
        }
        size_t from = 0;
        while (from <= token.size()) {
          size_t to = from;
          while (to < token.size() && !IsConnector(token[to])) ++to;
          const absl::string_view part = token.substr(from, to - from);
          from = to + 1;
          if (part.size() >= 2) word(part);
        }
      });
}

// AnalyzeText, and when `words` is given the lower-cased word each term
// comes from; stems from the thread's memo in a language with a stemmer.
absl::Status Analyze(absl::string_view text, absl::string_view language,
                     std::vector<std::string>* terms,
                     std::vector<std::string>* words) {
  std::string lower;
  absl::Status lowered = LowerForAnalysis(text, &lower);
  if (!lowered.ok()) return lowered;
  const absl::flat_hash_set<std::string>* stopwords = StopwordsOf(language);
  sb_stemmer* stemmer = ThreadStemmer(language);
  StemMemo* memo = stemmer != nullptr ? &ThreadStemMemo(language) : nullptr;
  MemoWord scratch;
  ForEachCodeAndWord(
      lower,
      [&](absl::string_view code) {
        terms->push_back(FoldWord(code));
        if (words != nullptr) words->emplace_back(code);
      },
      [&](absl::string_view word) {
        if (memo != nullptr) {
          const MemoWord& w =
              MemoizedWord(*memo, word, stemmer, stopwords, &scratch);
          if (w.stop) return;
          terms->push_back(w.stem);
        } else {
          if (stopwords != nullptr && stopwords->contains(word)) return;
          terms->push_back(StemOf(word, stemmer));
        }
        if (words != nullptr) words->emplace_back(word);
      });
  return absl::OkStatus();
}

// Character trigram profiles of the 24 official EU languages
// (data/cpv/language_profiles.tsv, written by benchmarks/cpv_concept_model
// from the CPV labels and the training notices): each language's most
// frequent trigrams with their log-probability, and a floor for the others.
struct LanguageProfiles {
  std::vector<std::string> languages;
  // Trigram -> log-probability in each language, languages' order.
  absl::flat_hash_map<std::string, std::vector<float>> log_p;
  std::vector<float> floor;  // Log-probability of an unlisted trigram.
};

const LanguageProfiles& Profiles() {
  static const LanguageProfiles* profiles = [] {
    auto* p = new LanguageProfiles;
    // Rows: `language<TAB>trigram<TAB>count`; a row with trigram "*" gives
    // the language's total count of trigrams.
    absl::flat_hash_map<std::string, int> index;
    std::vector<double> total;
    std::vector<std::tuple<int, std::string, double>> rows;
    for (absl::string_view line :
         absl::StrSplit(internal::kLanguageProfilesTsv, '\n')) {
      std::vector<absl::string_view> f = absl::StrSplit(line, '\t');
      double count;
      if (f.size() != 3 || !absl::SimpleAtod(f[2], &count) || count <= 0) {
        continue;  // The header, blank lines.
      }
      auto [it, added] = index.try_emplace(f[0], p->languages.size());
      if (added) {
        p->languages.emplace_back(f[0]);
        total.push_back(0);
      }
      if (f[1] == "*") {
        total[it->second] = count;
      } else {
        rows.emplace_back(it->second, std::string(f[1]), count);
      }
    }
    const size_t n = p->languages.size();
    for (size_t l = 0; l < n; ++l) {
      // Half an occurrence: below every listed trigram.
      p->floor.push_back(static_cast<float>(std::log(0.5 / total[l])));
    }
    for (auto& [l, trigram, count] : rows) {
      auto [it, added] = p->log_p.try_emplace(trigram);
      if (added) it->second = p->floor;
      it->second[l] = static_cast<float>(std::log(count / total[l]));
    }
    return p;
  }();
  return *profiles;
}

// The old guess among fr, nl, de and en: most stopwords wins, else "en".
std::string GuessByStopwords(const std::vector<std::string>& tokens) {
  const auto& all = Stopwords();
  std::string best = "en";
  int best_hits = 0;
  for (const char* lang : {"en", "fr", "nl", "de"}) {
    auto it = all.find(lang);
    if (it == all.end()) continue;
    int hits = 0;
    for (const std::string& t : tokens) hits += it->second.contains(t) ? 1 : 0;
    if (hits > best_hits) {
      best_hits = hits;
      best = lang;
    }
  }
  return best;
}

// Calls visit(part) for each part of `tokens` that character trigrams are
// made of: the tokens without digits, split at "-", "." and "/".
template <typename Visit>
void ForEachTrigramPart(const std::vector<std::string>& tokens, Visit visit) {
  for (const std::string& token : tokens) {
    if (HasDigit(token)) continue;
    for (absl::string_view part :
         absl::StrSplit(token, absl::ByAnyChar("-./"), absl::SkipEmpty())) {
      visit(part);
    }
  }
}

std::vector<std::string> TrigramsOfTokens(
    const std::vector<std::string>& tokens) {
  std::vector<std::string> out;
  std::vector<size_t> starts;
  ForEachTrigramPart(tokens, [&](absl::string_view part) {
    const std::string padded = absl::StrCat("_", part, "_");
    starts.clear();
    size_t pos = 0;
    while (pos < padded.size()) {
      starts.push_back(pos);
      DecodeUtf8(padded, &pos);
    }
    starts.push_back(padded.size());
    for (size_t i = 0; i + 3 < starts.size(); ++i) {
      out.push_back(padded.substr(starts[i], starts[i + 3] - starts[i]));
    }
  });
  return out;
}

// The number of trigrams TrigramsOfTokens(tokens) makes, counted without
// making them: one per rune of each part (the part padded with two "_"
// has two runes more, and a trigram starts at each rune but the last two).
size_t TrigramCount(const std::vector<std::string>& tokens) {
  size_t count = 0;
  ForEachTrigramPart(tokens, [&count](absl::string_view part) {
    for (size_t pos = 0; pos < part.size(); ++count) DecodeUtf8(part, &pos);
  });
  return count;
}

}  // namespace

std::string FoldText(absl::string_view text) {
  return FoldAccents(internal::LowerByRune(text));
}

bool HasStemmer(absl::string_view language) {
  return ThreadStemmer(language) != nullptr;
}

absl::StatusOr<std::vector<std::string>> AnalyzeText(
    absl::string_view text, absl::string_view language) {
  std::vector<std::string> terms;
  absl::Status s = Analyze(text, language, &terms, nullptr);
  if (!s.ok()) return s;
  return terms;
}

namespace internal {

absl::StatusOr<std::vector<std::string>> AnalyzeTextWithoutMemo(
    absl::string_view text, absl::string_view language) {
  const ptrdiff_t bad = FirstInvalidUtf8Offset(text);
  if (bad >= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("text is not valid UTF-8 (byte ", bad, ")"));
  }
  const absl::flat_hash_set<std::string>* stopwords = StopwordsOf(language);
  sb_stemmer* stemmer = ThreadStemmer(language);
  std::vector<std::string> terms;
  for (const std::string& token : Tokenize(LowerByRune(text))) {
    if (HasDigit(token)) {
      if (token.size() >= 2) terms.push_back(FoldWord(token));
      continue;
    }
    for (absl::string_view part :
         absl::StrSplit(token, absl::ByAnyChar("-./"))) {
      if (part.size() < 2) continue;
      if (stopwords != nullptr && stopwords->contains(part)) continue;
      terms.push_back(StemOf(part, stemmer));
    }
  }
  return terms;
}

}  // namespace internal

absl::StatusOr<std::vector<AnalyzedWord>> AnalyzeWords(
    absl::string_view text, absl::string_view language) {
  std::vector<std::string> terms, words;
  absl::Status s = Analyze(text, language, &terms, &words);
  if (!s.ok()) return s;
  std::vector<AnalyzedWord> out(terms.size());
  for (size_t i = 0; i < terms.size(); ++i) {
    out[i].word = std::move(words[i]);
    out[i].term = std::move(terms[i]);
  }
  return out;
}

std::vector<std::string> CharacterTrigrams(absl::string_view text) {
  if (!IsValidUtf8(text)) return {};
  return TrigramsOfTokens(Tokenize(internal::LowerByRune(text)));
}

namespace {

// DetectLanguage of a valid text whose CharacterTrigrams are `trigrams`.
LanguageGuess DetectLanguageOfTrigrams(
    const std::vector<std::string>& trigrams) {
  LanguageGuess guess;
  const LanguageProfiles& p = Profiles();
  guess.trigrams = static_cast<int>(trigrams.size());
  if (trigrams.empty() || p.languages.empty()) return guess;
  std::vector<double> score(p.languages.size(), 0.0);
  for (const std::string& t : trigrams) {
    auto it = p.log_p.find(t);
    const std::vector<float>& lp = it == p.log_p.end() ? p.floor : it->second;
    for (size_t l = 0; l < score.size(); ++l) score[l] += lp[l];
  }
  size_t best = 0, second = score.size() > 1 ? 1 : 0;
  if (score.size() > 1 && score[second] > score[best]) std::swap(best, second);
  for (size_t l = 2; l < score.size(); ++l) {
    if (score[l] > score[best]) {
      second = best;
      best = l;
    } else if (score[l] > score[second]) {
      second = l;
    }
  }
  guess.language = p.languages[best];
  guess.margin = (score[best] - score[second]) / trigrams.size();
  return guess;
}

}  // namespace

LanguageGuess DetectLanguage(absl::string_view text) {
  if (!IsValidUtf8(text)) return LanguageGuess();
  return DetectLanguageOfTrigrams(CharacterTrigrams(text));
}

namespace {

// AnalyzeStemmedAndPlain of the text whose lower-cased form is `lower`,
// with the terms' ids in `vocabulary` when it is given; without `plain`,
// the stemmed terms and their ids only. Every language's words go through
// the memo, those without a stemmer too (their stem is the folded word),
// for the ids it keeps.
StemmedAndPlainTerms StemmedAndPlainOfLower(absl::string_view lower,
                                            absl::string_view language,
                                            const TermVocabulary* vocabulary,
                                            bool plain = true) {
  const absl::flat_hash_set<std::string>* stopwords = StopwordsOf(language);
  sb_stemmer* stemmer = ThreadStemmer(language);
  StemmedAndPlainTerms out;
  const bool terms = vocabulary == nullptr || vocabulary->with_terms;
  const bool ids = vocabulary != nullptr;
  if (terms) {
    if (plain) out.plain.reserve(lower.size() / 8);
    out.stemmed.reserve(lower.size() / 8);
  }
  if (ids) {
    if (plain) out.plain_ids.reserve(lower.size() / 8);
    out.stemmed_ids.reserve(lower.size() / 8);
  }
  StemMemo& memo = ThreadStemMemo(language);
  MemoWord scratch;
  ForEachCodeAndWord(
      lower,
      [&](absl::string_view code) {
        std::string folded = FoldWord(code);
        if (ids) {
          if (plain) out.plain_ids.push_back(vocabulary->plain_id(folded));
          out.stemmed_ids.push_back(vocabulary->stemmed_id(folded));
        }
        if (terms) {
          if (plain) out.plain.push_back(folded);
          out.stemmed.push_back(std::move(folded));
        }
      },
      [&](absl::string_view word) {
        // One lookup gives the forms, the stop word and the ids.
        MemoWord& w = MemoizedWord(memo, word, stemmer, stopwords, &scratch);
        if (terms) {
          if (plain) out.plain.push_back(w.plain);
          if (!w.stop) out.stemmed.push_back(w.stem);
        }
        if (!ids) return;
        if (w.owner != vocabulary->owner) {
          vocabulary_call_in_walk = true;
          w.plain_id = vocabulary->plain_id(w.plain);
          w.stemmed_id = vocabulary->stemmed_id(w.stem);
          vocabulary_call_in_walk = false;
          w.owner = vocabulary->owner;
        }
        if (plain) out.plain_ids.push_back(w.plain_id);
        if (!w.stop) out.stemmed_ids.push_back(w.stemmed_id);
      });
  return out;
}

}  // namespace

absl::StatusOr<StemmedAndPlainTerms> AnalyzeStemmedAndPlain(
    absl::string_view text, absl::string_view language) {
  std::string lower;
  absl::Status lowered = LowerForAnalysis(text, &lower);
  if (!lowered.ok()) return lowered;
  return StemmedAndPlainOfLower(lower, language, nullptr);
}

absl::StatusOr<TermsAndIds> AnalyzeTextWithIds(
    absl::string_view text, absl::string_view language,
    const TermVocabulary& vocabulary) {
  std::string lower;
  absl::Status lowered = LowerForAnalysis(text, &lower);
  if (!lowered.ok()) return lowered;
  StemmedAndPlainTerms analysed =
      StemmedAndPlainOfLower(lower, language, &vocabulary, /*plain=*/false);
  return TermsAndIds{std::move(analysed.stemmed),
                     std::move(analysed.stemmed_ids)};
}

uint64_t NewTermVocabularyOwner() {
  static std::atomic<uint64_t> last{0};
  return last.fetch_add(1, std::memory_order_relaxed) + 1;
}

absl::StatusOr<StemmedPlainAndFolded> AnalyzeStemmedPlainAndFolded(
    absl::string_view text, absl::string_view language,
    const TermVocabulary* vocabulary) {
  StemmedPlainAndFolded out;
  std::string lower;
  absl::Status lowered = LowerForAnalysis(text, &lower, &out.folded);
  if (!lowered.ok()) return lowered;
  out.terms = StemmedAndPlainOfLower(lower, language, vocabulary);
  return out;
}

std::string GuessLanguage(absl::string_view text) {
  if (!IsValidUtf8(text)) return "en";
  const std::vector<std::string> tokens = Tokenize(internal::LowerByRune(text));
  // The trigrams counted before they are made, and made once (not again by
  // DetectLanguage(text)): a build guesses the language of every supplier's
  // name, most of them too short to detect, and making their trigrams was
  // half of GuessLanguage's instructions (session 20).
  if (static_cast<int>(TrigramCount(tokens)) >= kMinTrigramsToDetect) {
    const LanguageGuess guess =
        DetectLanguageOfTrigrams(TrigramsOfTokens(tokens));
    if (!guess.language.empty()) return guess.language;
  }
  return GuessByStopwords(tokens);
}

}  // namespace procmatch
