#include "procmatch/internal/alert_rule.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstring>
#include <limits>
#include <mutex>  // NOLINT: a process-wide memo of case orbits
#include <utility>

#include "absl/hash/hash.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "procmatch/internal/field_checker.h"
#include "procmatch/internal/keyword_pattern.h"
#include "procmatch/text_analyzer.h"
#include "procmatch/utf8.h"
#include "re2/filtered_re2.h"

namespace procmatch {
namespace internal {
namespace {

// Estimated share of notices a posting key of each kind selects, to pick
// the criterion a rule is indexed under. Only speed depends on these: any
// required criterion gives the same alerts.
double CpvShare(size_t digits) {
  return digits <= 2 ? 0.05 : digits == 3 ? 0.015 : digits == 4 ? 0.005 : 0.002;
}
double NutsShare(size_t chars) {
  return chars <= 2 ? 0.08 : chars == 3 ? 0.02 : chars == 4 ? 0.008 : 0.003;
}
constexpr double kCountryShare = 0.08;
// Keys of a rule posted under (buyer country, CPV prefix) pairs; a rule
// with more pairs is posted under one of the two criteria alone.
constexpr int kMaxPairKeys = 64;
// Longer terms are rarer (Lucene Monitor's default term weighting).
double TermShare(absl::string_view term) {
  return term.size() < 5 ? 0.03 : term.size() < 8 ? 0.01 : 0.004;
}

const std::string& Longest(const std::vector<std::string>& terms) {
  size_t best = 0;
  for (size_t i = 1; i < terms.size(); ++i) {
    if (terms[i].size() > terms[best].size() ||
        (terms[i].size() == terms[best].size() && terms[i] < terms[best])) {
      best = i;
    }
  }
  return terms[best];
}

// FindPhraseIds once the phrase fits the field and the filter lets its first
// term through; out of line, so that FindPhraseIds, inlined, answers most
// calls without one.
int FindPhraseIdsOfPresentFirst(const std::vector<int32_t>& ids,
                                const AnalysedField::Occurrences& occurrences,
                                int32_t first, const int32_t* phrase,
                                size_t count) {
  for (int32_t at = occurrences.First(first); at >= 0;
       at = occurrences.next[at]) {
    if (at + count > ids.size()) return -1;  // Later ones are too.
    // A loop, not std::equal: that calls memcmp for a few ids (3% of
    // Match at 100k rules).
    size_t k = 1;
    while (k < count && phrase[k] == ids[at + k]) ++k;
    if (k == count) return at;
  }
  return -1;
}

// The position of the first occurrence of the phrase of `count` term ids
// in a field's `ids`, found from `occurrences` of its first term, or -1.
// `first` is phrase[0]; the rest of `phrase` is read only when the field
// holds it.
inline int FindPhraseIds(const std::vector<int32_t>& ids,
                         const AnalysedField::Occurrences& occurrences,
                         int32_t first, const int32_t* phrase, size_t count) {
  if (count == 0 || count > ids.size() || !occurrences.MayHave(first)) {
    return -1;
  }
  return FindPhraseIdsOfPresentFirst(ids, occurrences, first, phrase, count);
}

// Whether `phrase` occurs in `text` as adjacent terms, found by their
// hashes and confirmed by their text.
bool ContainsPhrase(const std::vector<std::string>& text,
                    const std::vector<size_t>& text_hashes,
                    const std::vector<std::string>& phrase,
                    const std::vector<size_t>& phrase_hashes) {
  if (phrase.empty() || phrase.size() > text.size()) return false;
  for (auto from = text_hashes.begin();; ++from) {
    from = std::search(from, text_hashes.end(), phrase_hashes.begin(),
                       phrase_hashes.end());
    if (from == text_hashes.end()) return false;
    if (std::equal(phrase.begin(), phrase.end(),
                   text.begin() + (from - text_hashes.begin()))) {
      return true;
    }
  }
}

// "3561" -> [35610000, 35620000) of 4 digits; false unless 0-8 digits.
bool ToCpvRange(absl::string_view prefix, CpvRange* range) {
  if (prefix.size() > 8) return false;
  uint32_t value = 0;
  for (char c : prefix) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
    value = value * 10 + static_cast<uint32_t>(c - '0');
  }
  uint32_t scale = 1;
  for (size_t i = prefix.size(); i < 8; ++i) scale *= 10;
  range->low = value * scale;
  range->high = range->low + scale;
  range->digits = static_cast<uint32_t>(prefix.size());
  return true;
}

// A notice's code by its leading digits ("3561A" -> 35610000, 4 digits): a
// prefix of digits starts the code exactly when it starts those.
CpvRange CpvCodeKey(absl::string_view code) {
  size_t digits = 0;
  while (digits < code.size() && digits < 8 &&
         absl::ascii_isdigit(static_cast<unsigned char>(code[digits]))) {
    ++digits;
  }
  CpvRange key;
  ToCpvRange(code.substr(0, digits), &key);
  return key;
}

bool CodeUnder(const CpvRange& code, const CpvRange& prefix) {
  return code.digits >= prefix.digits && code.low >= prefix.low &&
         code.low < prefix.high;
}

PackedNuts PackNuts(absl::string_view code) {
  PackedNuts packed;
  for (size_t i = 0; i < 8; ++i) {
    const uint64_t byte =
        i < code.size() ? static_cast<unsigned char>(code[i]) : 0;
    packed.bytes |= byte << (56 - 8 * i);
  }
  packed.length = static_cast<uint32_t>(
      std::min<size_t>(code.size(), std::numeric_limits<uint32_t>::max()));
  return packed;
}

// Whether the place `code` starts with `prefix` (of at most 8 bytes).
bool PlaceUnder(const PackedNuts& code, const PackedNuts& prefix) {
  const uint64_t mask =
      prefix.length == 0 ? 0 : ~uint64_t{0} << (64 - 8 * prefix.length);
  return code.length >= prefix.length && (code.bytes & mask) == prefix.bytes;
}

std::vector<size_t> TermHashes(const std::vector<std::string>& terms) {
  std::vector<size_t> out;
  out.reserve(terms.size());
  for (const std::string& t : terms) out.push_back(TermHash(t));
  return out;
}

// The field's term hashes, made on first use.
const AnalysedField& Hashed(const AnalysedField& f) {
  if (!f.hashed) {
    f.stemmed_hashes = TermHashes(f.stemmed);
    f.plain_hashes = TermHashes(f.plain);
    f.hashed = true;
  }
  return f;
}

// The ids of `terms` in `known`.
void IdentifyTerms(const std::vector<std::string>& terms, const Symbols& known,
                   std::vector<int32_t>* ids) {
  ids->reserve(terms.size());
  for (const std::string& t : terms) ids->push_back(known.Find(t));
}

// Where each of the `ids` occurs.
void Locate(const std::vector<int32_t>& ids, AnalysedField::Occurrences* at) {
  *at = AnalysedField::Occurrences();
  at->next.assign(ids.size(), -1);
  // At least twice as many slots as known words (a slot per known word at
  // most, not per word of the text), and one empty slot always.
  const size_t known = static_cast<size_t>(std::count_if(
      ids.begin(), ids.end(), [](int32_t id) { return id >= 0; }));
  int bits = 1;
  while ((size_t{1} << bits) < 2 * known) ++bits;
  at->firsts.assign(size_t{1} << bits, {});
  at->mask = (uint32_t{1} << bits) - 1;
  at->shift = 64 - bits;
  // Backwards, so that each id ends at its first position.
  for (size_t i = ids.size(); i-- > 0;) {
    const int32_t id = ids[i];
    if (id < 0) continue;
    const uint32_t bit = static_cast<uint32_t>(id) & 1023;
    at->may_have[bit >> 6] |= uint64_t{1} << (bit & 63);
    uint32_t s = at->Slot(id);
    while (at->firsts[s].id >= 0 && at->firsts[s].id != id) {
      s = (s + 1) & at->mask;
    }
    AnalysedField::Occurrences::FirstAt& first = at->firsts[s];
    if (first.id == id) at->next[i] = first.at;
    first.id = id;
    first.at = static_cast<int32_t>(i);
  }
}

// The field's term ids (unless Candidates gave them) and their
// occurrences, made on first use.
const AnalysedField& Identified(const AnalysedField& f, const Symbols& known) {
  if (!f.identified) {
    if (!f.ids_known) {
      IdentifyTerms(f.stemmed, known, &f.stemmed_ids);
      IdentifyTerms(f.plain, known, &f.plain_ids);
      f.ids_known = true;
    }
    Locate(f.stemmed_ids, &f.stemmed_at);
    Locate(f.plain_ids, &f.plain_at);
    f.identified = true;
  }
  return f;
}

// "35613000-4" -> "35613000".
std::string CpvDigits(absl::string_view code) {
  return std::string(code.substr(0, std::min<size_t>(8, code.find('-'))));
}

std::string Amount(double amount) {
  std::string digits = absl::StrFormat("%.0f", amount);
  std::string out;
  const int n = static_cast<int>(digits.size());
  for (int i = 0; i < n; ++i) {
    if (i > 0 && (n - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

const char* KindWords(v1::NoticeKind kind) {
  switch (kind) {
    case v1::NOTICE_KIND_PRIOR_INFORMATION:
      return "a prior information notice";
    case v1::NOTICE_KIND_CONTRACT_NOTICE:
      return "a contract notice";
    case v1::NOTICE_KIND_CONTRACT_AWARD:
      return "a contract award notice";
    case v1::NOTICE_KIND_FUNDING_CALL:
      return "a funding call";
    default:
      return "a notice of another kind";
  }
}

const char* LegalBasisWords(v1::LegalBasis basis) {
  switch (basis) {
    case v1::LEGAL_BASIS_DEFENCE_DIRECTIVE_2009_81_EC:
      return "the defence directive 2009/81/EC";
    case v1::LEGAL_BASIS_PUBLIC_DIRECTIVE_2014_24_EU:
      return "the public procurement directive 2014/24/EU";
    case v1::LEGAL_BASIS_UTILITIES_DIRECTIVE_2014_25_EU:
      return "the utilities directive 2014/25/EU";
    case v1::LEGAL_BASIS_CONCESSIONS_DIRECTIVE_2014_23_EU:
      return "the concessions directive 2014/23/EU";
    case v1::LEGAL_BASIS_EDF_REGULATION_2021_697:
      return "the EDF regulation 2021/697";
    case v1::LEGAL_BASIS_NATIONAL:
      return "national rules";
    default:
      return "another legal basis";
  }
}

std::string CpvReason(absl::string_view code, absl::string_view prefix) {
  return absl::StrCat("CPV ", code, " is under your ", prefix);
}

std::string NutsReason(absl::string_view code, absl::string_view prefix) {
  return code == prefix ? absl::StrCat("place of performance ", code)
                        : absl::StrCat("place of performance ", code,
                                       " (in your ", prefix, ")");
}

// `value` against the rule's bounds, which hold for it.
std::string ValueReason(const v1::AlertRule& r, double value) {
  const std::string& cur =
      r.has_min_value() ? r.min_value().currency() : r.max_value().currency();
  std::string range =
      r.has_min_value() && r.has_max_value()
          ? absl::StrCat("within ", Amount(r.min_value().amount()), "-",
                         Amount(r.max_value().amount()), " ", cur)
      : r.has_min_value()
          ? absl::StrCat("at least ", Amount(r.min_value().amount()), " ", cur)
          : absl::StrCat("at most ", Amount(r.max_value().amount()), " ", cur);
  return absl::StrCat("estimated value ", Amount(value), " ", cur, " ", range);
}

// A unit's reason as the alert says it: prefixed with its lot.
std::string InUnit(const NoticeUnit& unit, std::string reason) {
  return unit.lot == nullptr
             ? std::move(reason)
             : absl::StrCat("lot ", unit.lot->id(), ": ", reason);
}

// The CPV, NUTS and value criteria for one unit, with reasons when
// `reasons` is not null.
bool UnitMatches(const v1::AlertRule& r, const NoticeUnit& unit,
                 std::vector<std::string>* reasons) {
  for (const std::string& code : unit.cpv) {
    for (const std::string& prefix : r.exclude_cpv_prefixes()) {
      if (absl::StartsWith(code, prefix)) return false;
    }
  }
  if (r.cpv_prefixes_size() > 0) {
    bool found = false;
    for (const std::string& code : unit.cpv) {
      for (const std::string& prefix : r.cpv_prefixes()) {
        if (absl::StartsWith(code, prefix)) {
          if (reasons != nullptr) reasons->push_back(CpvReason(code, prefix));
          found = true;
          break;
        }
      }
      if (found) break;
    }
    if (!found) return false;
  }
  if (r.nuts_prefixes_size() > 0) {
    bool found = false;
    for (const std::string& code : unit.nuts) {
      for (const std::string& prefix : r.nuts_prefixes()) {
        if (absl::StartsWith(code, prefix)) {
          if (reasons != nullptr) reasons->push_back(NutsReason(code, prefix));
          found = true;
          break;
        }
      }
      if (found) break;
    }
    if (!found) return false;
  }
  if (r.has_min_value() || r.has_max_value()) {
    const v1::Money& bound = r.has_min_value() ? r.min_value() : r.max_value();
    if (unit.value == nullptr || unit.value->currency() != bound.currency()) {
      return false;
    }
    const double v = unit.value->amount();
    if (r.has_min_value() && v < r.min_value().amount()) return false;
    if (r.has_max_value() && v > r.max_value().amount()) return false;
    if (reasons != nullptr) reasons->push_back(ValueReason(r, v));
  }
  return true;
}

// The words of the notice-wide criteria, made once per notice: every
// alert of the notice says them alike.
const PreparedNotice::Words& NoticeWords(const PreparedNotice& n) {
  if (!n.worded) {
    const v1::Tender& t = *n.tender;
    PreparedNotice::Words& w = n.words;
    w.kind = KindWords(t.notice_kind());
    w.legal_basis = absl::StrCat("under ", LegalBasisWords(t.legal_basis()));
    w.language = absl::StrCat("written in ", n.language);
    w.country = absl::StrCat("buyer in ", t.buyer().country());
    w.deadline = absl::StrCat(
        "submission deadline ",
        absl::FormatTime(
            "%Y-%m-%d %H:%M UTC",
            absl::FromUnixSeconds(t.submission_deadline().seconds()),
            absl::UTCTimeZone()),
        " is still open");
    n.worded = true;
  }
  return n.words;
}

// The reasons of the criteria on the notice as a whole (kind, legal basis,
// language, buyer country, deadline) that `r` has, all of which hold.
void AddNoticeReasons(const v1::AlertRule& r, const PreparedNotice& n,
                      std::vector<std::string>* reasons) {
  const PreparedNotice::Words& w = NoticeWords(n);
  if (r.notice_kinds_size() > 0) reasons->push_back(w.kind);
  if (r.legal_bases_size() > 0) reasons->push_back(w.legal_basis);
  if (r.languages_size() > 0) reasons->push_back(w.language);
  if (r.buyer_countries_size() > 0) reasons->push_back(w.country);
  if (r.deadline_open()) reasons->push_back(w.deadline);
}

std::string PhraseReason(const AlertPhrase& phrase, const AnalysedField& f) {
  return absl::StrCat("'", phrase.text, "' in the ", f.name);
}

// The reason of `compiled`'s keyword pattern `i`, which matches.
std::string PatternReason(const CompiledAlertRule& compiled, int i,
                          const PreparedNotice& n) {
  re2::StringPiece group;
  RE2::PartialMatch(FoldedText(n), *compiled.include_patterns[i], &group);
  return absl::StrCat(
      "pattern '", compiled.rule.keyword_patterns(i), "' matches \"",
      absl::string_view(group.data(), group.size()).substr(0, 80), "\"");
}

// The score of the supplier of `r`'s profile for the notice, or -1 when it
// is unknown or not eligible: Matcher::Explain()'s, from the notice prepared
// once for every profile rule.
absl::StatusOr<double> ProfileScore(const v1::AlertRule& r,
                                    const PreparedNotice& n,
                                    const EvaluationContext& context) {
  if (context.matcher == nullptr) {
    return absl::FailedPreconditionError(
        absl::StrCat("alert rule \"", r.id(),
                     "\": profile: needs a Matcher in the context"));
  }
  if (n.profiled_with != context.matcher) {
    n.profile_scores =
        std::make_unique<ProfileScores>(*context.matcher, *n.tender);
    n.profiled_with = context.matcher;
  }
  absl::StatusOr<double> score =
      n.profile_scores->Score(r.profile().supplier_id());
  // An unknown supplier cannot be eligible: the rule does not alert.
  if (absl::IsNotFound(score.status())) return -1;
  if (!score.ok()) {
    return absl::Status(score.status().code(),
                        absl::StrCat("alert rule \"", r.id(), "\": profile: ",
                                     score.status().message()));
  }
  return *score;
}

std::string ScoreReason(const v1::AlertRule& r, double score) {
  return absl::StrFormat("score %.2f for supplier %s \u2265 %g", score,
                         r.profile().supplier_id(), r.profile().min_score());
}

// Rule, subscriber, notice, title and `reasons` into `alert` (lots are
// added by the caller).
void FillAlert(const v1::AlertRule& r, const v1::Tender& t,
               std::vector<std::string> reasons, v1::Alert* alert) {
  alert->set_rule_id(r.id());
  alert->set_rule_name(r.name());
  alert->set_subscriber(r.subscriber());
  alert->set_tender_id(t.id());
  alert->set_title(t.title());
  alert->mutable_reasons()->Reserve(static_cast<int>(reasons.size()));
  for (std::string& reason : reasons) alert->add_reasons(std::move(reason));
}

}  // namespace

std::string CriteriaOf(const v1::AlertRule& rule) {
  v1::AlertRule criteria = rule;
  criteria.clear_id();
  criteria.clear_name();
  criteria.clear_subscriber();
  criteria.clear_disabled();
  // Deterministic: the same criteria always give the same bytes (the
  // message has no maps; this also fixes unknown fields' order).
  std::string out;
  {
    google::protobuf::io::StringOutputStream stream(&out);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    criteria.SerializeToCodedStream(&coded);
  }
  return out;
}

size_t TermHash(absl::string_view term) {
  return absl::Hash<absl::string_view>{}(term);
}

std::vector<char32_t> CaseOrbit(char32_t rune) {
  if (rune == 0 || rune > 0xFFFF || (rune >= 0xD800 && rune <= 0xDFFF)) {
    return {};
  }
  static std::mutex mutex;
  static auto* orbits =
      new absl::flat_hash_map<char32_t, std::vector<char32_t>>;
  static const std::string* plane = [] {
    auto* runes = new std::string;
    for (char32_t r = 1; r <= 0xFFFF; ++r) {
      if (r < 0xD800 || r > 0xDFFF) AppendUtf8(r, runes);
    }
    return runes;
  }();
  {
    std::lock_guard<std::mutex> lock(mutex);
    auto it = orbits->find(rune);
    if (it != orbits->end()) return it->second;
  }
  RE2::Options options;
  options.set_case_sensitive(false);
  const RE2 literal(absl::StrFormat("(\\x{%x})", static_cast<uint32_t>(rune)),
                    options);
  std::vector<char32_t> orbit;
  re2::StringPiece rest(*plane), found;
  while (RE2::FindAndConsume(&rest, literal, &found)) {
    size_t at = 0;
    orbit.push_back(
        DecodeUtf8(absl::string_view(found.data(), found.size()), &at));
  }
  std::lock_guard<std::mutex> lock(mutex);
  orbits->try_emplace(rune, orbit);
  return orbit;
}

std::string FoldRunes(absl::string_view text, const RuneFolds& folds) {
  if (folds.empty()) return std::string(text);
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    // ASCII runs are copied whole.
    size_t end = i;
    while (end < text.size() && static_cast<unsigned char>(text[end]) < 0x80) {
      ++end;
    }
    if (end > i) {
      out.append(text.data() + i, end - i);
      i = end;
      continue;
    }
    const size_t from = i;
    const char32_t rune = DecodeUtf8(text, &i);
    auto it = rune == kReplacementCharacter ? folds.end() : folds.find(rune);
    if (it == folds.end()) {
      out.append(text.data() + from, i - from);
    } else {
      AppendUtf8(it->second, &out);
    }
  }
  return out;
}

namespace {

// Whether `prefilter`'s pattern may match a text that holds the pieces
// `holds` says it holds.
template <typename Holds>
bool AtomsMayMatch(const PatternPrefilter& prefilter, Holds holds) {
  if (prefilter.atoms.empty()) return true;
  uint32_t present = 0;
  for (size_t a = 0; a < prefilter.atoms.size(); ++a) {
    const std::vector<std::string>& pieces = prefilter.searched[a];
    if (std::all_of(pieces.begin(), pieces.end(), holds)) present |= 1u << a;
  }
  return ((prefilter.may_match >> present) & 1) != 0;
}

}  // namespace

PatternPrefilter MakePatternPrefilter(const RE2& pattern) {
  PatternPrefilter out;
  // Atoms shorter than this are not worth looking for.
  constexpr int kMinAtomLength = 3;
  re2::FilteredRE2 filter(kMinAtomLength);
  int id = 0;
  if (filter.Add(pattern.pattern(), pattern.options(), &id) != RE2::NoError) {
    return out;
  }
  std::vector<std::string> atoms;
  filter.Compile(&atoms);
  if (atoms.empty() ||
      atoms.size() >
          static_cast<size_t>(PatternPrefilter::kMaxPrefilterAtoms)) {
    return out;
  }
  for (const std::string& atom : atoms) {
    std::vector<std::string>& pieces = out.searched.emplace_back();
    const bool ascii = std::none_of(atom.begin(), atom.end(), [](char c) {
      return static_cast<unsigned char>(c) >= 0x80;
    });
    if (ascii) {
      pieces.push_back(atom);
      continue;
    }
    // Whole, its runes replaced by their orbits' least, when each has one.
    std::string folded;
    std::vector<std::pair<char32_t, char32_t>> folds;
    bool whole = true;
    for (size_t i = 0; i < atom.size() && whole;) {
      if (static_cast<unsigned char>(atom[i]) < 0x80) {
        folded += atom[i++];
        continue;
      }
      const char32_t rune = DecodeUtf8(atom, &i);
      const std::vector<char32_t> orbit = rune == kReplacementCharacter
                                              ? std::vector<char32_t>()
                                              : CaseOrbit(rune);
      // An orbit with an ASCII letter (K, KELVIN SIGN), or a rune that
      // PrefilterText rewrites, is left to PrefilterText.
      whole = !orbit.empty() &&
              std::none_of(orbit.begin(), orbit.end(), [](char32_t r) {
                return r < 0x80 || r == 0x212A || r == 0x17F || r == 0x130;
              });
      if (!whole) break;
      const char32_t least = *std::min_element(orbit.begin(), orbit.end());
      for (char32_t r : orbit) folds.emplace_back(r, least);
      AppendUtf8(least, &folded);
    }
    if (whole) {
      pieces.push_back(std::move(folded));
      out.rune_folds.insert(out.rune_folds.end(), folds.begin(), folds.end());
    } else {
      for (size_t i = 0; i < atom.size();) {
        size_t end = i;
        while (end < atom.size() &&
               static_cast<unsigned char>(atom[end]) < 0x80) {
          ++end;
        }
        if (end - i >= static_cast<size_t>(kMinAtomLength)) {
          pieces.push_back(atom.substr(i, end - i));
        }
        i = end + 1;
      }
    }
  }
  uint64_t may_match = 0;
  std::vector<int> present, potential;
  for (uint32_t subset = 0; subset < (1u << atoms.size()); ++subset) {
    present.clear();
    for (size_t a = 0; a < atoms.size(); ++a) {
      if ((subset >> a) & 1) present.push_back(static_cast<int>(a));
    }
    potential.clear();
    filter.AllPotentials(present, &potential);
    if (!potential.empty()) may_match |= uint64_t{1} << subset;
  }
  // Atoms with nothing to search for count as present: when those alone
  // may match (or none need be), the pattern always runs.
  uint32_t unsearched = 0;
  for (size_t a = 0; a < atoms.size(); ++a) {
    if (out.searched[a].empty()) unsearched |= 1u << a;
  }
  if (((may_match >> unsearched) & 1) != 0) return PatternPrefilter();
  out.atoms = std::move(atoms);
  out.may_match = may_match;
  return out;
}

std::string PrefilterText(absl::string_view text) {
  // Folded text mostly needs no change: copy it whole.
  const bool unchanged = std::none_of(text.begin(), text.end(), [](char c) {
    const unsigned char b = static_cast<unsigned char>(c);
    return (b >= 'A' && b <= 'Z') || b == 0xE2 || b == 0xC5 || b == 0xC4;
  });
  if (unchanged) return std::string(text);
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    const absl::string_view rest = text.substr(i);
    if (c < 0x80) {
      out += absl::ascii_tolower(c);
    } else if (absl::StartsWith(rest, "\xE2\x84\xAA")) {  // KELVIN SIGN
      out += 'k';
      i += 2;
    } else if (absl::StartsWith(rest, "\xC5\xBF")) {  // LONG S
      out += 's';
      i += 1;
    } else if (absl::StartsWith(rest, "\xC4\xB0")) {  // I WITH DOT ABOVE
      out += 'i';
      i += 1;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

bool MayMatch(const PatternPrefilter& prefilter,
              absl::string_view prefilter_text) {
  return AtomsMayMatch(prefilter, [&](const std::string& piece) {
    // glibc's memmem is much faster than a memchr-then-memcmp search.
    return memmem(prefilter_text.data(), prefilter_text.size(), piece.data(),
                  piece.size()) != nullptr;
  });
}

uint32_t TextTrigrams::Slot(uint32_t trigram) {
  return (trigram * 0x9E3779B1u) >> (32 - kHashBits);
}

TextTrigrams::TextTrigrams(absl::string_view text)
    : bits_((size_t{1} << kHashBits) / 64, 0) {
  const unsigned char* in = reinterpret_cast<const unsigned char*>(text.data());
  auto add = [this](uint32_t trigram) {
    const uint32_t slot = Slot(trigram);
    bits_[slot >> 6] |= uint64_t{1} << (slot & 63);
  };
  // Eight bytes read as one number, the first highest, hold the six
  // trigrams that start in their first six (this loop was half the
  // instructions of the notice's pattern set-up when it read a byte at a
  // time).
  size_t i = 0;
  for (; i + 8 <= text.size(); i += 6) {
    uint64_t eight;
    memcpy(&eight, in + i, 8);
    if constexpr (__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__) {
      eight = __builtin_bswap64(eight);
    }
    add(static_cast<uint32_t>(eight >> 40) & 0xFFFFFF);
    add(static_cast<uint32_t>(eight >> 32) & 0xFFFFFF);
    add(static_cast<uint32_t>(eight >> 24) & 0xFFFFFF);
    add(static_cast<uint32_t>(eight >> 16) & 0xFFFFFF);
    add(static_cast<uint32_t>(eight >> 8) & 0xFFFFFF);
    add(static_cast<uint32_t>(eight) & 0xFFFFFF);
  }
  if (i + 3 > text.size()) return;
  // The rest a byte at a time: the last three bytes, the latest lowest.
  uint32_t window = (uint32_t{in[i]} << 8) | in[i + 1];
  for (i += 2; i < text.size(); ++i) {
    window = ((window << 8) | in[i]) & 0xFFFFFF;
    add(window);
  }
}

bool TextTrigrams::MayHold(absl::string_view atom) const {
  uint32_t window = 0;
  for (size_t i = 0; i < atom.size(); ++i) {
    window = ((window << 8) | static_cast<unsigned char>(atom[i])) & 0xFFFFFF;
    if (i < 2) continue;
    const uint32_t slot = Slot(window);
    if (((bits_[slot >> 6] >> (slot & 63)) & 1) == 0) return false;
  }
  return true;
}

void TextTrigrams::AppendSlots(absl::string_view text,
                               std::vector<uint16_t>* slots) {
  static_assert(kHashBits <= 16, "a slot fits 16 bits");
  uint32_t window = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    window = ((window << 8) | static_cast<unsigned char>(text[i])) & 0xFFFFFF;
    if (i >= 2) slots->push_back(static_cast<uint16_t>(Slot(window)));
  }
}

bool TextTrigrams::HasAll(const uint16_t* slots, size_t count) const {
  for (size_t i = 0; i < count; ++i) {
    if (((bits_[slots[i] >> 6] >> (slots[i] & 63)) & 1) == 0) return false;
  }
  return true;
}

QuickPattern MakeQuickPattern(const PatternPrefilter& prefilter, bool exclude,
                              std::vector<uint16_t>* slots) {
  QuickPattern q;
  q.exclude = exclude;
  q.may_match = prefilter.may_match;
  q.atoms = static_cast<uint8_t>(prefilter.atoms.size());
  q.slots_begin = static_cast<uint32_t>(slots->size());
  std::vector<uint16_t> atom;
  for (size_t a = 0; a < prefilter.atoms.size(); ++a) {
    atom.clear();
    for (const std::string& piece : prefilter.searched[a]) {
      TextTrigrams::AppendSlots(piece, &atom);
    }
    // Any of them: a text holding the atom holds them all.
    atom.resize(std::min<size_t>(atom.size(), 255));
    q.slots[a] = static_cast<uint8_t>(atom.size());
    slots->insert(slots->end(), atom.begin(), atom.end());
  }
  return q;
}

bool QuickMayMatch(const QuickPattern& pattern,
                   const std::vector<uint16_t>& slots,
                   const TextTrigrams& trigrams) {
  if (pattern.atoms == 0) return true;
  uint32_t present = 0;
  const uint16_t* from = slots.data() + pattern.slots_begin;
  for (uint32_t a = 0; a < pattern.atoms; ++a) {
    if (trigrams.HasAll(from, pattern.slots[a])) present |= 1u << a;
    from += pattern.slots[a];
  }
  return ((pattern.may_match >> present) & 1) != 0;
}

bool MayMatch(const PatternPrefilter& prefilter,
              absl::string_view prefilter_text, const TextTrigrams& trigrams) {
  return AtomsMayMatch(prefilter, [&](const std::string& piece) {
    return trigrams.MayHold(piece) &&
           memmem(prefilter_text.data(), prefilter_text.size(), piece.data(),
                  piece.size()) != nullptr;
  });
}

absl::StatusOr<std::shared_ptr<const CompiledAlertRule>> CompileAlertRule(
    const v1::AlertRule& rule, const Options& options) {
  auto out = std::make_shared<CompiledAlertRule>();
  out->rule = rule;
  out->criteria = CriteriaOf(rule);
  const std::string record = absl::StrCat("alert rule \"", rule.id(), "\"");
  // Before any entry is analysed: a rule of a million keywords is refused
  // in microseconds, not after analysing them.
  if (auto [field, problem] = OverlongAlertList(rule); !field.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(record, ": ", field, ": ", problem));
  }
  std::string language = rule.keyword_language();
  if (language.empty() && rule.keywords_size() > 0) {
    language = GuessLanguage(absl::StrJoin(rule.keywords(), " "));
  }
  for (int i = 0; i < rule.keywords_size(); ++i) {
    AlertPhrase p;
    p.text = rule.keywords(i);
    p.language = language;
    absl::StatusOr<StemmedAndPlainTerms> terms =
        AnalyzeStemmedAndPlain(p.text, language);
    if (!terms.ok() || terms->plain.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(record, ": keywords[", i, "]: \"", p.text,
                       "\" has no searchable term"));
    }
    p.stemmed = std::move(terms->stemmed);
    p.plain = std::move(terms->plain);
    p.stemmed_hashes = TermHashes(p.stemmed);
    p.plain_hashes = TermHashes(p.plain);
    out->phrases.push_back(std::move(p));
  }
  // The quick-check table's forms. Validation admits nothing else; these
  // errors guard the table against a rule that was not validated.
  for (int pass = 0; pass < 2; ++pass) {
    const auto& prefixes =
        pass == 0 ? rule.cpv_prefixes() : rule.exclude_cpv_prefixes();
    for (int i = 0; i < prefixes.size(); ++i) {
      CpvRange range;
      if (!ToCpvRange(prefixes[i], &range)) {
        return absl::InvalidArgumentError(absl::StrCat(
            record, ": ", pass == 0 ? "cpv_prefixes[" : "exclude_cpv_prefixes[",
            i, "]: \"", prefixes[i], "\" is not 0-8 digits"));
      }
      (pass == 0 ? out->cpv : out->exclude_cpv).push_back(range);
    }
  }
  for (int i = 0; i < rule.nuts_prefixes_size(); ++i) {
    if (rule.nuts_prefixes(i).size() > 8) {
      return absl::InvalidArgumentError(
          absl::StrCat(record, ": nuts_prefixes[", i, "]: \"",
                       rule.nuts_prefixes(i), "\" is longer than 8 bytes"));
    }
    out->nuts.push_back(PackNuts(rule.nuts_prefixes(i)));
  }
  for (int i = 0; i < rule.notice_kinds_size(); ++i) {
    if (rule.notice_kinds(i) < 0 || rule.notice_kinds(i) >= 8) {
      return absl::InvalidArgumentError(
          absl::StrCat(record, ": notice_kinds[", i,
                       "]: ", rule.notice_kinds(i), " is not a notice kind"));
    }
  }
  for (int i = 0; i < rule.legal_bases_size(); ++i) {
    if (rule.legal_bases(i) < 0 || rule.legal_bases(i) >= 8) {
      return absl::InvalidArgumentError(
          absl::StrCat(record, ": legal_bases[", i, "]: ", rule.legal_bases(i),
                       " is not a legal basis"));
    }
  }
  for (size_t i = 0; i < out->phrases.size(); ++i) {
    if (out->phrases[i].plain.size() > kMaxAlertListEntries) {
      return absl::InvalidArgumentError(absl::StrCat(
          record, ": keywords[", i, "]: ", out->phrases[i].plain.size(),
          " terms; at most ", kMaxAlertListEntries));
    }
  }
  for (int pass = 0; pass < 2; ++pass) {
    const auto& patterns =
        pass == 0 ? rule.keyword_patterns() : rule.exclude_patterns();
    for (int i = 0; i < patterns.size(); ++i) {
      absl::StatusOr<std::unique_ptr<RE2>> re = CompileKeywordPattern(
          patterns[i], /*case_sensitive=*/false, options.max_pattern_memory);
      if (!re.ok()) {
        return absl::InvalidArgumentError(absl::StrCat(
            record, ": ", pass == 0 ? "keyword_patterns[" : "exclude_patterns[",
            i, "]: ", re.status().message()));
      }
      (pass == 0 ? out->include_patterns : out->exclude_patterns)
          .push_back(std::move(*re));
    }
  }
  for (const auto* patterns :
       {&out->include_patterns, &out->exclude_patterns}) {
    for (const auto& re : *patterns) {
      out->prefilters.push_back(MakePatternPrefilter(*re));
    }
  }

  // The required criterion with the fewest expected candidates.
  double best = 2.0;
  auto consider = [&](double share, std::vector<std::string> keys) {
    if (!keys.empty() && share < best) {
      best = share;
      out->index_keys = std::move(keys);
    }
  };
  {
    double share = 0;
    std::vector<std::string> keys;
    for (const std::string& p : rule.cpv_prefixes()) {
      share += CpvShare(p.size());
      keys.push_back(absl::StrCat("c", p));
    }
    consider(share, std::move(keys));
  }
  {
    double share = 0;
    std::vector<std::string> keys;
    for (const std::string& p : rule.nuts_prefixes()) {
      share += NutsShare(p.size());
      keys.push_back(absl::StrCat("n", p));
    }
    consider(share, std::move(keys));
  }
  {
    double share = 0;
    std::vector<std::string> keys;
    for (const std::string& c : rule.buyer_countries()) {
      share += kCountryShare;
      keys.push_back(absl::StrCat("b", c));
    }
    consider(share, std::move(keys));
  }
  {
    double share = 0;
    std::vector<std::string> keys;
    for (const AlertPhrase& p : out->phrases) {
      if (!p.stemmed.empty()) {
        const std::string& t = Longest(p.stemmed);
        share += TermShare(t);
        keys.push_back(absl::StrCat("s", p.language, ":", t));
      }
      const std::string& t = Longest(p.plain);
      share += TermShare(t);
      keys.push_back(absl::StrCat("p", t));
    }
    consider(share, std::move(keys));
  }
  {
    // Both a buyer country and a CPV prefix: posted under each pair, so
    // that a notice from another country never meets the rule.
    const int pairs = rule.cpv_prefixes_size() * rule.buyer_countries_size();
    if (pairs > 0 && pairs <= kMaxPairKeys) {
      double share = 0;
      std::vector<std::string> keys;
      for (const std::string& c : rule.buyer_countries()) {
        for (const std::string& p : rule.cpv_prefixes()) {
          share += CpvShare(p.size()) * kCountryShare;
          keys.push_back(absl::StrCat("x", c, ":", p));
        }
      }
      consider(share, std::move(keys));
    }
  }
  std::sort(out->index_keys.begin(), out->index_keys.end());
  out->index_keys.erase(
      std::unique(out->index_keys.begin(), out->index_keys.end()),
      out->index_keys.end());
  return std::shared_ptr<const CompiledAlertRule>(std::move(out));
}

absl::StatusOr<PreparedNotice> PrepareNotice(const v1::Tender& t,
                                             const AlertPostings* postings) {
  PreparedNotice n;
  n.tender = &t;
  n.postings = postings;
  n.language = t.language().empty() ? GuessLanguage(t.title()) : t.language();
  NoticeUnit whole;
  if (!t.main_cpv().empty()) whole.cpv.push_back(CpvDigits(t.main_cpv()));
  for (const std::string& c : t.additional_cpv()) {
    whole.cpv.push_back(CpvDigits(c));
  }
  whole.nuts.assign(t.nuts_codes().begin(), t.nuts_codes().end());
  if (t.has_estimated_value()) whole.value = &t.estimated_value();
  for (const v1::Lot& lot : t.lots()) {
    NoticeUnit u;
    u.lot = &lot;
    if (!lot.main_cpv().empty()) u.cpv.push_back(CpvDigits(lot.main_cpv()));
    for (const std::string& c : lot.additional_cpv()) {
      u.cpv.push_back(CpvDigits(c));
    }
    if (u.cpv.empty()) u.cpv = whole.cpv;
    u.nuts.assign(lot.nuts_codes().begin(), lot.nuts_codes().end());
    if (u.nuts.empty()) u.nuts = whole.nuts;
    if (lot.has_estimated_value()) u.value = &lot.estimated_value();
    n.units.push_back(std::move(u));
  }
  n.units.insert(n.units.begin(), std::move(whole));

  // The postings' terms as a vocabulary: a word the memo has met under
  // them gives its terms' indexes without hashing them again.
  const AlertPostings::TermMap* stems = nullptr;
  if (postings != nullptr) {
    auto in_language = postings->stemmed.find(n.language);
    if (in_language != postings->stemmed.end()) stems = &in_language->second;
  }
  auto index_in = [](const AlertPostings::TermMap* map,
                     absl::string_view term) -> int32_t {
    if (map == nullptr) return -1;
    auto it = map->find(term);
    return it == map->end() ? -1 : static_cast<int32_t>(it->second);
  };
  // Named: a TermVocabulary refers to its functions.
  auto plain_index = [&](absl::string_view term) {
    return index_in(&postings->plain, term);
  };
  auto stem_index = [&](absl::string_view term) {
    return index_in(stems, term);
  };
  // With phrase ids the quick check reads no term's text: none is made.
  const TermVocabulary vocabulary{
      postings != nullptr ? postings->vocabulary : 0, plain_index, stem_index,
      /*with_terms=*/postings == nullptr || !postings->term_ids};
  const std::string* texts[2] = {&t.title(), &t.description()};
  const char* names[2] = {"title", "description"};
  for (int i = 0; i < 2; ++i) {
    n.fields[i].name = names[i];
    // One pass gives both forms and the folded text: analysis is most of
    // a notice's cost.
    absl::StatusOr<StemmedPlainAndFolded> analysed =
        AnalyzeStemmedPlainAndFolded(
            *texts[i], n.language, postings != nullptr ? &vocabulary : nullptr);
    if (!analysed.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("tender \"", t.id(), "\": ", names[i], ": ",
                       analysed.status().message()));
    }
    n.fields[i].stemmed = std::move(analysed->terms.stemmed);
    n.fields[i].plain = std::move(analysed->terms.plain);
    n.fields[i].stemmed_terms = std::move(analysed->terms.stemmed_ids);
    n.fields[i].plain_terms = std::move(analysed->terms.plain_ids);
    if (i > 0) n.folded_text.push_back('\n');
    n.folded_text.append(analysed->folded);
  }
  return n;
}

namespace {

// The table of `fold` (a function of a string that maps each rune of
// valid UTF-8 on its own) for the runes of two bytes, U+0080 to U+07FF.
template <typename Fold>
std::vector<FoldedRune> TwoByteTable(Fold fold) {
  std::vector<FoldedRune> out(0x800);
  std::string rune;
  for (char32_t c = 0x80; c < 0x800; ++c) {
    rune.clear();
    AppendUtf8(c, &rune);
    const std::string folded = fold(rune);
    if (folded.size() > FoldedRune::kMaxBytes) {
      out[c].size = FoldedRune::kTooLong;
    } else {
      out[c].size = static_cast<uint8_t>(folded.size());
      memcpy(out[c].bytes, folded.data(), folded.size());
    }
  }
  return out;
}

// `fold` (as above) of `text`, appended to `*out`: ASCII lower-cased, runes
// of two bytes from `two_byte` (TwoByteTable(fold)), longer runes by
// `fold`. Unless `kCheck`, REQUIRES `text` to be valid UTF-8; with it,
// each rune above ASCII is checked as it is read (the ASCII bytes need no
// check), and at the first that is not well-formed `*out` is left as it was
// and false returned, so that text which is most often valid is read once.
template <bool kCheck, typename Fold>
bool AppendFoldedByRune(absl::string_view text,
                        const std::vector<FoldedRune>& two_byte, Fold fold,
                        std::string* appended) {
  std::string& out = *appended;
  const size_t before = out.size();
  size_t size = before;
  out.resize(size + text.size() + 16);
  const unsigned char* in = reinterpret_cast<const unsigned char*>(text.data());
  for (size_t i = 0; i < text.size();) {
    // Room for the longest output of a table entry.
    if (out.size() - size < 16) out.resize(2 * out.size());
    // Eight ASCII bytes at once (most of a notice's text). (Taking the
    // ASCII bytes before the first other one of the eight as well cost more
    // than it saved on the real notices' accents.)
    if (i + 8 <= text.size()) {
      uint64_t word;
      memcpy(&word, in + i, 8);
      if (AllAscii(word)) {
        word = LowerAscii(word);
        memcpy(&out[size], &word, 8);
        size += 8;
        i += 8;
        continue;
      }
    }
    const unsigned char b = in[i];
    if (b < 0x80) {
      out[size++] = static_cast<char>(absl::ascii_tolower(b));
      ++i;
      continue;
    }
    size_t length = b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
    if (kCheck) {
      // Well-formed as FirstInvalidUtf8Offset has it. Two bytes (accents,
      // Greek, Cyrillic: most runes above ASCII) are a lead of U+0080 or
      // more and a continuation byte; longer runes are left to DecodeUtf8,
      // which reads a sequence that is not as U+FFFD of one byte (U+FFFD
      // itself is three).
      size_t next = i + 2;
      if (b >= 0xC2 && b < 0xE0) {
        if (next > text.size() || (in[i + 1] & 0xC0) != 0x80) next = i + 1;
      } else {
        next = i;
        if (DecodeUtf8(text, &next) == kReplacementCharacter && next - i != 3) {
          next = i + 1;
        }
      }
      if (next - i < 2) {
        out.resize(before);
        return false;
      }
      length = next - i;
    }
    if (length == 2) {
      const FoldedRune& f = two_byte[((b & 0x1Fu) << 6) | (in[i + 1] & 0x3Fu)];
      if (f.size != FoldedRune::kTooLong) {
        memcpy(&out[size], f.bytes, FoldedRune::kMaxBytes);
        size += f.size;
        i += 2;
        continue;
      }
    }
    const std::string folded = fold(text.substr(i, length));
    if (out.size() - size < folded.size()) {
      out.resize(2 * out.size() + folded.size());
    }
    memcpy(&out[size], folded.data(), folded.size());
    size += folded.size();
    i += length;
  }
  out.resize(size);
  return true;
}

template <typename Fold>
std::string FoldByRune(absl::string_view text,
                       const std::vector<FoldedRune>& two_byte, Fold fold) {
  std::string out;
  AppendFoldedByRune</*kCheck=*/false>(text, two_byte, fold, &out);
  return out;
}

}  // namespace

std::string FoldTextByRuns(absl::string_view text) {
  // Invalid UTF-8 cannot be cut into whole code points.
  if (!IsValidUtf8(text)) return FoldText(text);
  static const auto* table = new std::vector<FoldedRune>(
      TwoByteTable([](absl::string_view rune) { return FoldText(rune); }));
  return FoldByRune(text, *table,
                    [](absl::string_view rune) { return FoldText(rune); });
}

PrefilterFolds::PrefilterFolds(RuneFolds folds) : folds_(std::move(folds)) {
  two_byte_ = TwoByteTable([this](absl::string_view rune) {
    return FoldRunes(PrefilterText(rune), folds_);
  });
  unfolded_two_byte_ = TwoByteTable(
      [this](absl::string_view rune) { return FoldAndApplyToRune(rune); });
}

std::string PrefilterFolds::FoldAndApplyToRune(absl::string_view rune) const {
  return FoldRunes(PrefilterText(FoldText(rune)), folds_);
}

std::string PrefilterFolds::Apply(absl::string_view text) const {
  if (!IsValidUtf8(text)) return FoldRunes(PrefilterText(text), folds_);
  return ApplyToValid(text);
}

std::string PrefilterFolds::ApplyToValid(absl::string_view text) const {
  return FoldByRune(text, two_byte_, [this](absl::string_view rune) {
    return FoldRunes(PrefilterText(rune), folds_);
  });
}

bool PrefilterFolds::AppendFoldAndApply(absl::string_view text,
                                        std::string* out) const {
  return AppendFoldedByRune</*kCheck=*/true>(
      text, unfolded_two_byte_,
      [this](absl::string_view rune) { return FoldAndApplyToRune(rune); }, out);
}

size_t PrefilterFolds::ApproximateMemoryUsage() const {
  return folds_.size() * (2 * sizeof(char32_t) + 1) +
         (two_byte_.capacity() + unfolded_two_byte_.capacity()) *
             sizeof(FoldedRune);
}

const std::string& FoldedText(const PreparedNotice& n) {
  if (!n.folded) {
    // The title and description, valid UTF-8, were folded by PrepareNotice:
    // folding maps each of their runes on its own, so the lots' text (which
    // may be invalid) is folded after them.
    std::string lots;
    for (const v1::Lot& lot : n.tender->lots()) {
      absl::StrAppend(&lots, "\n", lot.title(), "\n", lot.description());
    }
    if (!lots.empty()) n.folded_text.append(FoldTextByRuns(lots));
    n.folded = true;
  }
  return n.folded_text;
}

const TextTrigrams& NoticeTrigrams(const PrefilterFolds& folds,
                                   const PreparedNotice& n) {
  if (n.prefilter_ready) return *n.trigrams;
  // The title and description (and the lots, when folded already) are
  // folded valid UTF-8.
  const size_t fields_end = n.folded_text.size();
  n.prefilter_text = folds.ApplyToValid(n.folded_text);
  const size_t fields_end_in_prefilter = n.prefilter_text.size();
  if (!n.folded) {
    // The lots join the text as FoldedText joins them; folding maps each
    // rune on its own, so valid lots are folded piece by piece, both ways
    // at once, and checked as they are read. Invalid UTF-8 is folded whole
    // (FoldText's way) by FoldedText.
    auto append_lots = [&] {
      for (const v1::Lot& lot : n.tender->lots()) {
        for (const std::string* text : {&lot.title(), &lot.description()}) {
          n.prefilter_text.push_back('\n');
          if (!folds.AppendFoldAndApply(*text, &n.prefilter_text)) return false;
        }
      }
      return true;
    };
    if (!append_lots()) {
      n.prefilter_text.resize(fields_end_in_prefilter);
      n.prefilter_text.append(folds.ApplyToValid(
          absl::string_view(FoldedText(n)).substr(fields_end)));
    }
  }
  n.trigrams.emplace(n.prefilter_text);
  n.prefilter_ready = true;
  return *n.trigrams;
}

bool NoticeMayMatch(const PatternPrefilter& prefilter,
                    const PrefilterFolds& folds, const PreparedNotice& n) {
  if (prefilter.atoms.empty()) return true;
  const TextTrigrams& trigrams = NoticeTrigrams(folds, n);
  return MayMatch(prefilter, n.prefilter_text, trigrams);
}

AlertPostings::Term& AlertPostings::TermOf(TermMap* map,
                                           absl::string_view term) {
  auto [it, added] =
      map->try_emplace(term, static_cast<uint32_t>(terms.size()));
  if (added) terms.emplace_back();
  return terms[it->second];
}

void AlertPostings::Add(absl::string_view key, uint32_t position) {
  vocabulary = NewTermVocabularyOwner();
  const absl::string_view value = key.substr(1);
  switch (key[0]) {
    case 'c':
      cpv[value].push_back(position);
      break;
    case 'n':
      nuts[value].push_back(position);
      break;
    case 'b':
      countries[value].push_back(position);
      break;
    case 'p':
      TermOf(&plain, value).Post(position);
      break;
    case 'x': {  // The prefix is digits: the last colon ends the country.
      const size_t colon = value.rfind(':');
      cpv_in_country[value.substr(0, colon)][value.substr(colon + 1)].push_back(
          position);
      break;
    }
    case 's': {
      const size_t colon = value.find(':');
      TermOf(&stemmed[value.substr(0, colon)], value.substr(colon + 1))
          .Post(position);
      break;
    }
  }
}

void AlertPostings::AddTermIds(
    const QuickCheckTable& table,
    const std::vector<std::shared_ptr<const CompiledAlertRule>>& rules) {
  vocabulary = NewTermVocabularyOwner();
  term_ids = true;
  for (const auto& rule : rules) {
    for (const AlertPhrase& p : rule->phrases) {
      for (const std::string& t : p.plain) {
        TermOf(&plain, t).id = table.terms.Find(t);
      }
      if (p.stemmed.empty()) continue;
      TermMap& in_language = stemmed[p.language];
      for (const std::string& t : p.stemmed) {
        TermOf(&in_language, t).id = table.terms.Find(t);
      }
    }
  }
}

std::vector<uint32_t> Candidates(const AlertPostings& p,
                                 const PreparedNotice& n) {
  // A bit per rule merges the postings in rule order without sorting.
  std::vector<uint64_t> seen((p.rule_count + 63) / 64);
  auto mark = [&](const std::vector<uint32_t>& positions) {
    for (uint32_t i : positions) seen[i >> 6] |= uint64_t{1} << (i & 63);
  };
  auto look_up = [&](const AlertPostings::Map& map, absl::string_view key) {
    auto it = map.find(key);
    if (it != map.end()) mark(it->second);
  };
  mark(p.always);
  auto in_country = p.cpv_in_country.find(n.tender->buyer().country());
  // Lots often repeat the notice's codes and places: each is looked up once.
  std::vector<absl::string_view> codes, places;
  for (const NoticeUnit& u : n.units) {
    codes.insert(codes.end(), u.cpv.begin(), u.cpv.end());
    places.insert(places.end(), u.nuts.begin(), u.nuts.end());
  }
  for (auto* values : {&codes, &places}) {
    std::sort(values->begin(), values->end());
    values->erase(std::unique(values->begin(), values->end()), values->end());
  }
  for (absl::string_view code : codes) {
    for (size_t len = 2; len <= code.size() && len <= 8; ++len) {
      look_up(p.cpv, code.substr(0, len));
      if (in_country != p.cpv_in_country.end()) {
        look_up(in_country->second, code.substr(0, len));
      }
    }
  }
  for (absl::string_view code : places) {
    for (size_t len = 2; len <= code.size(); ++len) {
      look_up(p.nuts, code.substr(0, len));
    }
  }
  look_up(p.countries, n.tender->buyer().country());
  // Each term as PrepareNotice found it (from the word memo), for its
  // postings and its id. A stemmed term is looked for only among the stems
  // of the notice's language: a stemmed id is compared only with phrases
  // of that language, whose terms are all there, so -1 for the others
  // changes nothing.
  assert(n.postings == &p);
  auto mark_term = [&](int32_t term) -> int32_t {
    if (term < 0) return -1;
    const AlertPostings::Term& found = p.terms[term];
    if (found.only != AlertPostings::Term::kNotOne) {
      seen[found.only >> 6] |= uint64_t{1} << (found.only & 63);
    } else {
      mark(found.positions);
    }
    return found.id;
  };
  for (const AnalysedField& f : n.fields) {
    f.plain_ids.resize(f.plain_terms.size());
    for (size_t i = 0; i < f.plain_terms.size(); ++i) {
      f.plain_ids[i] = mark_term(f.plain_terms[i]);
    }
    f.stemmed_ids.resize(f.stemmed_terms.size());
    for (size_t i = 0; i < f.stemmed_terms.size(); ++i) {
      f.stemmed_ids[i] = mark_term(f.stemmed_terms[i]);
    }
    f.ids_known = p.term_ids;
    f.identified = false;
  }
  std::vector<uint32_t> out;
  for (size_t w = 0; w < seen.size(); ++w) {
    for (uint64_t bits = seen[w]; bits != 0; bits &= bits - 1) {
      out.push_back(static_cast<uint32_t>(w * 64 + __builtin_ctzll(bits)));
    }
  }
  return out;
}

namespace {

// What the quick check found, so that explaining does not search again:
// the first phrase that occurs and its field, the first pattern that
// matches (-1: none, or the rule has none).
struct Found {
  int phrase = -1;
  int field = -1;
  int pattern = -1;
};

// Whether every criterion of `compiled` holds for `n`. With `reasons` null,
// a quick check that fills `*found`: no words, no lots, and the profile
// (the costly Matcher) is left out. Otherwise, after a quick check that
// held, the reasons, the lots in `alert`, and the profile.
absl::StatusOr<bool> CheckCriteria(const CompiledAlertRule& compiled,
                                   const PreparedNotice& n,
                                   const EvaluationContext& context,
                                   std::vector<std::string>* reasons,
                                   Found* found, v1::Alert* alert) {
  const v1::AlertRule& r = compiled.rule;
  const v1::Tender& t = *n.tender;
  const bool explain = reasons != nullptr;
  if (r.notice_kinds_size() > 0 &&
      std::find(r.notice_kinds().begin(), r.notice_kinds().end(),
                t.notice_kind()) == r.notice_kinds().end()) {
    return false;
  }
  if (r.legal_bases_size() > 0 &&
      std::find(r.legal_bases().begin(), r.legal_bases().end(),
                t.legal_basis()) == r.legal_bases().end()) {
    return false;
  }
  if (r.languages_size() > 0 &&
      std::find(r.languages().begin(), r.languages().end(), n.language) ==
          r.languages().end()) {
    return false;
  }
  if (r.buyer_countries_size() > 0 &&
      std::find(r.buyer_countries().begin(), r.buyer_countries().end(),
                t.buyer().country()) == r.buyer_countries().end()) {
    return false;
  }
  if (r.deadline_open() &&
      !(t.has_submission_deadline() &&
        absl::FromUnixSeconds(t.submission_deadline().seconds()) >
            context.now)) {
    return false;
  }
  if (explain) AddNoticeReasons(r, n, reasons);
  if (r.cpv_prefixes_size() > 0 || r.exclude_cpv_prefixes_size() > 0 ||
      r.nuts_prefixes_size() > 0 || r.has_min_value() || r.has_max_value()) {
    bool any = false;
    for (const NoticeUnit& u : n.units) {
      if (!explain) {
        if (UnitMatches(r, u, nullptr)) {
          any = true;
          break;
        }
        continue;
      }
      std::vector<std::string> unit_reasons;
      if (!UnitMatches(r, u, &unit_reasons)) continue;
      if (u.lot != nullptr) alert->add_lot_ids(u.lot->id());
      if (!any) {
        for (std::string& s : unit_reasons) {
          reasons->push_back(InUnit(u, std::move(s)));
        }
      }
      any = true;
    }
    if (!any) return false;
  }
  if (!compiled.phrases.empty()) {
    if (!explain) {
      // The first phrase found, in the first field, as the reason names.
      for (size_t i = 0; i < compiled.phrases.size() && found->phrase < 0;
           ++i) {
        const AlertPhrase& p = compiled.phrases[i];
        for (int k = 0; k < 2; ++k) {
          const AnalysedField& f = Hashed(n.fields[k]);
          if ((p.language == n.language &&
               ContainsPhrase(f.stemmed, f.stemmed_hashes, p.stemmed,
                              p.stemmed_hashes)) ||
              ContainsPhrase(f.plain, f.plain_hashes, p.plain,
                             p.plain_hashes)) {
            found->phrase = static_cast<int>(i);
            found->field = k;
            break;
          }
        }
      }
      if (found->phrase < 0) return false;
    } else {
      reasons->push_back(PhraseReason(compiled.phrases[found->phrase],
                                      n.fields[found->field]));
    }
  }
  if (!compiled.include_patterns.empty()) {
    if (!explain) {
      for (size_t i = 0;
           i < compiled.include_patterns.size() && found->pattern < 0; ++i) {
        if (RE2::PartialMatch(FoldedText(n), *compiled.include_patterns[i])) {
          found->pattern = static_cast<int>(i);
        }
      }
      if (found->pattern < 0) return false;
    } else {
      reasons->push_back(PatternReason(compiled, found->pattern, n));
    }
  }
  if (!explain) {
    for (const auto& re : compiled.exclude_patterns) {
      if (RE2::PartialMatch(FoldedText(n), *re)) return false;
    }
  }
  if (r.has_profile() && explain) {
    absl::StatusOr<double> score = ProfileScore(r, n, context);
    if (!score.ok()) return score.status();
    if (*score < 0 || *score < r.profile().min_score()) return false;
    reasons->push_back(ScoreReason(r, *score));
  }
  return true;
}

}  // namespace

absl::StatusOr<bool> VerifyAlertRule(const CompiledAlertRule& compiled,
                                     const PreparedNotice& n,
                                     const EvaluationContext& context,
                                     v1::Alert* alert) {
  if (compiled.rule.disabled()) return false;
  // Most candidates fail some criterion: find out before saying anything.
  Found found;
  absl::StatusOr<bool> holds =
      CheckCriteria(compiled, n, context, nullptr, &found, nullptr);
  if (!holds.ok() || !*holds) return holds;
  std::vector<std::string> reasons;
  alert->clear_lot_ids();
  holds = CheckCriteria(compiled, n, context, &reasons, &found, alert);
  if (!holds.ok() || !*holds) return holds;
  FillAlert(compiled.rule, *n.tender, std::move(reasons), alert);
  return true;
}

int32_t Symbols::Intern(absl::string_view name) {
  auto [it, added] = ids_.try_emplace(name, static_cast<int32_t>(ids_.size()));
  return it->second;
}

int32_t Symbols::Find(absl::string_view name) const {
  auto it = ids_.find(name);
  return it == ids_.end() ? -1 : it->second;
}

size_t Symbols::ApproximateMemoryUsage() const {
  size_t bytes = 0;
  for (const auto& [name, id] : ids_) {
    bytes += sizeof(name) + name.capacity() + sizeof(id) + 8;
  }
  return bytes;
}

size_t QuickCheckTable::ApproximateMemoryUsage() const {
  return rules.capacity() * sizeof(QuickRule) +
         values.capacity() * sizeof(QuickValue) +
         symbols.capacity() * sizeof(int32_t) +
         cpv.capacity() * sizeof(CpvRange) +
         nuts.capacity() * sizeof(PackedNuts) +
         phrases.capacity() * sizeof(QuickPhrase) +
         term_ids.capacity() * sizeof(int32_t) +
         patterns_begin.capacity() * sizeof(uint32_t) +
         patterns.capacity() * sizeof(QuickPattern) +
         trigram_slots.capacity() * sizeof(uint16_t) +
         names.ApproximateMemoryUsage() + terms.ApproximateMemoryUsage() +
         prefilter_folds.ApproximateMemoryUsage();
}

QuickCheckTable BuildQuickCheckTable(
    const std::vector<std::shared_ptr<const CompiledAlertRule>>& rules) {
  QuickCheckTable table;
  table.rules.reserve(rules.size());
  table.values.reserve(rules.size());
  RuneFolds rune_folds;
  for (const auto& compiled : rules) {
    const v1::AlertRule& r = compiled->rule;
    QuickRule q;
    const std::pair<bool, uint16_t> flags[] = {
        {r.disabled(), QuickRule::kDisabled},
        {r.deadline_open(), QuickRule::kDeadlineOpen},
        {r.has_min_value(), QuickRule::kMinValue},
        {r.has_max_value(), QuickRule::kMaxValue},
        {!compiled->include_patterns.empty(), QuickRule::kPatterns},
        {!compiled->exclude_patterns.empty(), QuickRule::kExcludePatterns},
        {r.has_profile(), QuickRule::kProfile}};
    for (const auto& [set, flag] : flags) {
      if (set) q.flags |= flag;
    }
    // CompileAlertRule admits kinds and legal bases 0-7 and lists of at
    // most 65,535 entries.
    for (int kind : r.notice_kinds()) q.kinds |= 1 << kind;
    for (int basis : r.legal_bases()) q.legal_bases |= 1 << basis;
    q.symbols_begin = static_cast<uint32_t>(table.symbols.size());
    for (const std::string& c : r.buyer_countries()) {
      table.symbols.push_back(table.names.Intern(c));
    }
    for (const std::string& l : r.languages()) {
      table.symbols.push_back(table.names.Intern(l));
    }
    q.countries = static_cast<uint16_t>(r.buyer_countries_size());
    q.languages = static_cast<uint16_t>(r.languages_size());
    q.cpv_begin = static_cast<uint32_t>(table.cpv.size());
    table.cpv.insert(table.cpv.end(), compiled->cpv.begin(),
                     compiled->cpv.end());
    table.cpv.insert(table.cpv.end(), compiled->exclude_cpv.begin(),
                     compiled->exclude_cpv.end());
    q.cpv = static_cast<uint16_t>(compiled->cpv.size());
    q.exclude_cpv = static_cast<uint16_t>(compiled->exclude_cpv.size());
    q.nuts_begin = static_cast<uint32_t>(table.nuts.size());
    table.nuts.insert(table.nuts.end(), compiled->nuts.begin(),
                      compiled->nuts.end());
    q.nuts = static_cast<uint16_t>(compiled->nuts.size());
    q.phrases_begin = static_cast<uint32_t>(table.phrases.size());
    for (const AlertPhrase& p : compiled->phrases) {
      QuickPhrase qp;
      qp.language = table.names.Intern(p.language);
      qp.terms_begin = static_cast<uint32_t>(table.term_ids.size());
      for (const std::string& t : p.stemmed) {
        table.term_ids.push_back(table.terms.Intern(t));
      }
      for (const std::string& t : p.plain) {
        table.term_ids.push_back(table.terms.Intern(t));
      }
      qp.stemmed_count = static_cast<uint16_t>(p.stemmed.size());
      qp.plain_count = static_cast<uint16_t>(p.plain.size());
      if (qp.stemmed_count > 0)
        qp.first_stemmed = table.term_ids[qp.terms_begin];
      if (qp.plain_count > 0) {
        qp.first_plain = table.term_ids[qp.terms_begin + qp.stemmed_count];
      }
      table.phrases.push_back(qp);
    }
    q.phrases = static_cast<uint16_t>(compiled->phrases.size());
    QuickValue v;
    if (r.has_min_value() || r.has_max_value()) {
      v.currency =
          table.names.Intern(r.has_min_value() ? r.min_value().currency()
                                               : r.max_value().currency());
      v.min = r.min_value().amount();
      v.max = r.max_value().amount();
    }
    table.patterns_begin.push_back(
        static_cast<uint32_t>(table.patterns.size()));
    for (size_t i = 0; i < compiled->prefilters.size(); ++i) {
      const PatternPrefilter& f = compiled->prefilters[i];
      rune_folds.insert(f.rune_folds.begin(), f.rune_folds.end());
      table.patterns.push_back(MakeQuickPattern(
          f, /*exclude=*/i >= compiled->include_patterns.size(),
          &table.trigram_slots));
    }
    table.rules.push_back(q);
    table.values.push_back(v);
  }
  table.patterns_begin.push_back(static_cast<uint32_t>(table.patterns.size()));
  table.prefilter_folds = PrefilterFolds(std::move(rune_folds));
  return table;
}

NoticeKeys MakeNoticeKeys(const QuickCheckTable& table, const PreparedNotice& n,
                          const EvaluationContext& context) {
  const v1::Tender& t = *n.tender;
  NoticeKeys keys;
  auto bit = [](int value) -> uint8_t {
    return value >= 0 && value < 8 ? static_cast<uint8_t>(1 << value) : 0;
  };
  keys.kind = bit(t.notice_kind());
  keys.legal_basis = bit(t.legal_basis());
  keys.country = table.names.Find(t.buyer().country());
  keys.language = table.names.Find(n.language);
  keys.deadline_open =
      t.has_submission_deadline() &&
      absl::FromUnixSeconds(t.submission_deadline().seconds()) > context.now;
  keys.units.reserve(n.units.size());
  for (const NoticeUnit& u : n.units) {
    NoticeKeys::Unit k;
    k.cpv_begin = static_cast<uint32_t>(keys.cpv.size());
    for (const std::string& code : u.cpv) keys.cpv.push_back(CpvCodeKey(code));
    k.cpv_end = static_cast<uint32_t>(keys.cpv.size());
    k.nuts_begin = static_cast<uint32_t>(keys.nuts.size());
    for (const std::string& code : u.nuts) keys.nuts.push_back(PackNuts(code));
    k.nuts_end = static_cast<uint32_t>(keys.nuts.size());
    if (u.value != nullptr) {
      k.has_value = true;
      k.amount = u.value->amount();
      k.currency = table.names.Find(u.value->currency());
    }
    keys.units.push_back(k);
  }
  return keys;
}

namespace {

// Whether `symbol` is among the `count` symbols from `begin`.
bool HasSymbol(const QuickCheckTable& table, uint32_t begin, uint32_t count,
               int32_t symbol) {
  const int32_t* from = table.symbols.data() + begin;
  return std::find(from, from + count, symbol) != from + count;
}

// Whether one of the `count` codes is under one of the `prefixes`; the
// first such code and its first prefix in `*code` and `*prefix` (when not
// null), as the reason names them.
template <typename Key, typename Under>
bool FirstUnder(const Key* codes, uint32_t count, const Key* prefixes,
                uint32_t prefix_count, Under under, int32_t* code,
                int32_t* prefix) {
  for (uint32_t c = 0; c < count; ++c) {
    for (uint32_t p = 0; p < prefix_count; ++p) {
      if (under(codes[c], prefixes[p])) {
        if (code != nullptr) *code = static_cast<int32_t>(c);
        if (prefix != nullptr) *prefix = static_cast<int32_t>(p);
        return true;
      }
    }
  }
  return false;
}

// UnitMatches from the table: the CPV, NUTS and value criteria of the rule
// at `position` for one unit, with the first code and place that hold in
// `*match` when not null.
bool UnitHolds(const QuickCheckTable& table, uint32_t position,
               const NoticeKeys& keys, const NoticeKeys::Unit& u,
               AlertMatch* match) {
  const QuickRule& q = table.rules[position];
  const CpvRange* prefixes = table.cpv.data() + q.cpv_begin;
  const CpvRange* exclusions = prefixes + q.cpv;
  for (uint32_t c = u.cpv_begin; c < u.cpv_end; ++c) {
    for (uint32_t e = 0; e < q.exclude_cpv; ++e) {
      if (CodeUnder(keys.cpv[c], exclusions[e])) return false;
    }
  }
  if (q.cpv > 0 &&
      !FirstUnder(keys.cpv.data() + u.cpv_begin, u.cpv_end - u.cpv_begin,
                  prefixes, q.cpv, CodeUnder,
                  match != nullptr ? &match->cpv_code : nullptr,
                  match != nullptr ? &match->cpv_prefix : nullptr)) {
    return false;
  }
  if (q.nuts > 0 &&
      !FirstUnder(keys.nuts.data() + u.nuts_begin, u.nuts_end - u.nuts_begin,
                  table.nuts.data() + q.nuts_begin, q.nuts, PlaceUnder,
                  match != nullptr ? &match->place : nullptr,
                  match != nullptr ? &match->nuts_prefix : nullptr)) {
    return false;
  }
  if ((q.flags & (QuickRule::kMinValue | QuickRule::kMaxValue)) != 0) {
    const QuickValue& v = table.values[position];
    if (!u.has_value || u.currency != v.currency) return false;
    if ((q.flags & QuickRule::kMinValue) != 0 && u.amount < v.min) {
      return false;
    }
    if ((q.flags & QuickRule::kMaxValue) != 0 && u.amount > v.max) {
      return false;
    }
  }
  return true;
}

}  // namespace

absl::StatusOr<bool> MatchRule(
    const QuickCheckTable& table,
    const std::vector<std::shared_ptr<const CompiledAlertRule>>& rules,
    uint32_t position, const PreparedNotice& n, const NoticeKeys& keys,
    const EvaluationContext& context, AlertMatch* match) {
  const QuickRule& q = table.rules[position];
  if ((q.flags & QuickRule::kDisabled) != 0) return false;
  if (q.kinds != 0 && (q.kinds & keys.kind) == 0) return false;
  if (q.legal_bases != 0 && (q.legal_bases & keys.legal_basis) == 0) {
    return false;
  }
  if (q.languages > 0 && !HasSymbol(table, q.symbols_begin + q.countries,
                                    q.languages, keys.language)) {
    return false;
  }
  if (q.countries > 0 &&
      !HasSymbol(table, q.symbols_begin, q.countries, keys.country)) {
    return false;
  }
  if ((q.flags & QuickRule::kDeadlineOpen) != 0 && !keys.deadline_open) {
    return false;
  }
  *match = AlertMatch();
  match->rule = static_cast<int32_t>(position);
  if (q.has_unit_criteria()) {
    for (size_t k = 0; k < keys.units.size() && match->unit < 0; ++k) {
      if (UnitHolds(table, position, keys, keys.units[k], match)) {
        match->unit = static_cast<int32_t>(k);
      }
    }
    if (match->unit < 0) return false;
  }
  if (q.phrases > 0) {
    // Each field once for all the phrases (identified when first reached,
    // as the description often is not), and what is found in locals: a
    // store through `match` in the loop would make the fields' vectors be
    // read again at every phrase.
    const AnalysedField* fields[2] = {nullptr, nullptr};
    int32_t keyword = -1, field = -1, position = -1;
    for (uint32_t i = 0; i < q.phrases && keyword < 0; ++i) {
      const QuickPhrase& p = table.phrases[q.phrases_begin + i];
      const int32_t* stemmed = table.term_ids.data() + p.terms_begin;
      const int32_t* plain = stemmed + p.stemmed_count;
      const bool in_language = p.language == keys.language;
      for (int k = 0; k < 2; ++k) {
        if (fields[k] == nullptr) {
          fields[k] = &Identified(n.fields[k], table.terms);
        }
        const AnalysedField& f = *fields[k];
        int at = -1;
        if (in_language) {
          at = FindPhraseIds(f.stemmed_ids, f.stemmed_at, p.first_stemmed,
                             stemmed, p.stemmed_count);
        }
        if (at < 0) {
          at = FindPhraseIds(f.plain_ids, f.plain_at, p.first_plain, plain,
                             p.plain_count);
        }
        if (at >= 0) {
          keyword = static_cast<int32_t>(i);
          field = k;
          position = at;
          break;
        }
      }
    }
    if (keyword < 0) return false;
    match->keyword = keyword;
    match->field = field;
    match->position = position;
  }
  if ((q.flags & (QuickRule::kPatterns | QuickRule::kExcludePatterns |
                  QuickRule::kProfile)) == 0) {
    return true;
  }
  // RE2 runs only for a pattern whose atoms the text holds: those the
  // notice's trigrams rule out are decided from the table, the others by
  // the pattern's own prefilter and RE2, from its compiled form.
  const QuickPattern* patterns =
      table.patterns.data() + table.patterns_begin[position];
  const uint32_t count =
      table.patterns_begin[position + 1] - table.patterns_begin[position];
  uint32_t includes = 0;
  while (includes < count && !patterns[includes].exclude) ++includes;
  auto matches = [&](uint32_t k) {
    if (patterns[k].atoms > 0 &&
        !QuickMayMatch(patterns[k], table.trigram_slots,
                       NoticeTrigrams(table.prefilter_folds, n))) {
      return false;
    }
    const CompiledAlertRule& compiled = *rules[position];
    const RE2& re = k < includes ? *compiled.include_patterns[k]
                                 : *compiled.exclude_patterns[k - includes];
    return NoticeMayMatch(compiled.prefilters[k], table.prefilter_folds, n) &&
           RE2::PartialMatch(FoldedText(n), re);
  };
  for (uint32_t k = 0; k < includes; ++k) {
    if (matches(k)) {
      match->pattern = static_cast<int32_t>(k);
      break;
    }
  }
  if (includes > 0 && match->pattern < 0) return false;
  for (uint32_t k = includes; k < count; ++k) {
    if (matches(k)) return false;
  }
  if ((q.flags & QuickRule::kProfile) != 0) {
    const v1::AlertRule& r = rules[position]->rule;
    absl::StatusOr<double> score = ProfileScore(r, n, context);
    if (!score.ok()) return score.status();
    if (*score < 0 || *score < r.profile().min_score()) return false;
    match->score = *score;
  }
  return true;
}

void SortKeysByRule(std::vector<uint64_t>* keys, size_t rule_count) {
  constexpr size_t kFewKeys = 256;
  if (keys->size() < kFewKeys) {
    // The rules are distinct: in rule order is in key order.
    std::sort(keys->begin(), keys->end());
    return;
  }
  // Least significant digit first, in as few passes of at most 11 bits of
  // the rule as the largest position needs, the bits shared evenly (fewer
  // buckets to count); each pass is stable.
  const uint64_t largest = rule_count == 0 ? 0 : uint64_t{rule_count} - 1;
  int bits = 0;
  while (bits < 32 && (largest >> bits) != 0) ++bits;
  constexpr int kMaxBits = 11;
  const int passes = (bits + kMaxBits - 1) / kMaxBits;
  const int pass_bits = passes == 0 ? 0 : (bits + passes - 1) / passes;
  const uint32_t mask = (1u << pass_bits) - 1;
  std::vector<uint64_t> other(keys->size());
  std::vector<uint32_t> start(mask + 2);
  for (int shift = 32; shift < 32 + passes * pass_bits; shift += pass_bits) {
    std::fill(start.begin(), start.end(), 0);
    for (uint64_t key : *keys) ++start[((key >> shift) & mask) + 1];
    for (size_t d = 1; d < start.size(); ++d) start[d] += start[d - 1];
    for (uint64_t key : *keys) other[start[(key >> shift) & mask]++] = key;
    keys->swap(other);
  }
}

void ExplainMatch(const QuickCheckTable& table, uint32_t slot,
                  const CompiledAlertRule& compiled, const PreparedNotice& n,
                  const NoticeKeys& keys, const AlertMatch& match,
                  v1::Alert* alert) {
  const v1::AlertRule& r = compiled.rule;
  std::vector<std::string> reasons;
  reasons.reserve(8);  // More than most rules have criteria.
  AddNoticeReasons(r, n, &reasons);
  if (match.unit >= 0) {
    const NoticeUnit& u = n.units[match.unit];
    if (match.cpv_code >= 0) {
      reasons.push_back(InUnit(u, CpvReason(u.cpv[match.cpv_code],
                                            r.cpv_prefixes(match.cpv_prefix))));
    }
    if (match.place >= 0) {
      reasons.push_back(InUnit(
          u,
          NutsReason(u.nuts[match.place], r.nuts_prefixes(match.nuts_prefix))));
    }
    if (r.has_min_value() || r.has_max_value()) {
      reasons.push_back(InUnit(u, ValueReason(r, u.value->amount())));
    }
    // Every unit that holds is listed, from the first.
    for (size_t k = match.unit; k < n.units.size(); ++k) {
      if (n.units[k].lot != nullptr &&
          (k == static_cast<size_t>(match.unit) ||
           UnitHolds(table, slot, keys, keys.units[k], nullptr))) {
        alert->add_lot_ids(n.units[k].lot->id());
      }
    }
  }
  if (match.keyword >= 0) {
    reasons.push_back(
        PhraseReason(compiled.phrases[match.keyword], n.fields[match.field]));
  }
  if (match.pattern >= 0) {
    reasons.push_back(PatternReason(compiled, match.pattern, n));
  }
  if (r.has_profile()) reasons.push_back(ScoreReason(r, match.score));
  FillAlert(r, *n.tender, std::move(reasons), alert);
}

}  // namespace internal
}  // namespace procmatch
