#include "procmatch/cpv_concepts.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>
#include <type_traits>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "procmatch/text_analyzer.h"
#include "procmatch/utf8.h"

namespace procmatch {
namespace internal {
extern const char kCpvLabelsTsv[];
extern const char kConceptNoticesTsv[];
extern const char kConceptClassesTsv[];
extern const char kConceptDiscriminativeTsv[];
}  // namespace internal

const char* const kConceptLanguages[kConceptLanguageCount] = {
    "bg", "cs", "da", "de", "el", "en", "es", "et", "fi", "fr", "ga", "hr",
    "hu", "it", "lt", "lv", "mt", "nl", "pl", "pt", "ro", "sk", "sl", "sv"};

namespace {

// The largest count or weight a model file may hold: far above any the
// bundled files have (counts of notices, log-odds), far below a float's
// range, so that sums of thousands of them stay finite.
constexpr double kMaxModelValue = 1e9;

// Every concept language is two letters a-z: its index in a table by the
// letters. Index building asks once per text and per language bucket, and
// comparing with each language cost 5,000 instructions a supplier
// (session 16).
int LanguageIndex(absl::string_view language) {
  static const std::array<int8_t, 26 * 26>* const by_letters = [] {
    auto* table = new std::array<int8_t, 26 * 26>();
    table->fill(-1);
    for (int i = 0; i < kConceptLanguageCount; ++i) {
      const char* code = kConceptLanguages[i];
      (*table)[(code[0] - 'a') * 26 + (code[1] - 'a')] = static_cast<int8_t>(i);
    }
    return table;
  }();
  if (language.size() != 2) return -1;
  const unsigned first = static_cast<unsigned char>(language[0]) - 'a';
  const unsigned second = static_cast<unsigned char>(language[1]) - 'a';
  if (first >= 26 || second >= 26) return -1;
  return (*by_letters)[first * 26 + second];
}

// TermIds' plain_id: the concept layer reads stems only.
int32_t NoTermId(absl::string_view) { return -1; }

// Irish labels repeat the English ones: Irish text is read as English would
// be, which is all the labels allow.
int ModelIndex(int language) {
  static const int ga = LanguageIndex("ga");
  static const int en = LanguageIndex("en");
  return language == ga ? en : language;
}

std::vector<std::string> ConceptTerms(const std::vector<std::string>& terms,
                                      absl::string_view language) {
  std::vector<std::string> out;
  out.reserve(terms.size());
  for (const std::string& t : terms) out.push_back(ConceptTerm(t, language));
  return out;
}

// A code's group as its first three digits: 35613000 -> 356.
int32_t GroupKey(CpvCode code) {
  return static_cast<int32_t>(code.digits() / 100000);
}

// A word's label links pruned (ConceptWeights::max_label_links and
// min_label_link_share): its `keep` strongest, ties by lower ordinal, then
// those below `share` of its strongest dropped. A word in thousands of
// labels ("services") is weak evidence for each of them anyway (low idf).
void KeepStrongest(std::vector<std::pair<int32_t, float>>* links, size_t keep,
                   double share) {
  if (links->size() > keep) {
    std::nth_element(links->begin(), links->begin() + keep, links->end(),
                     [](const auto& a, const auto& b) {
                       return a.second > b.second ||
                              (a.second == b.second && a.first < b.first);
                     });
    links->resize(keep);
  }
  if (share <= 0 || links->empty()) return;
  float strongest = 0;
  for (const auto& link : *links) strongest = std::max(strongest, link.second);
  const double floor = share * strongest;
  links->erase(
      std::remove_if(links->begin(), links->end(),
                     [&](const auto& link) { return link.second < floor; }),
      links->end());
}

}  // namespace

namespace {

// ConceptTerm as a prefix of `term`, for a language with a stemmer or not.
absl::string_view ConceptTermView(absl::string_view term, bool stemmed) {
  if (stemmed) return term;
  for (char c : term) {
    if (c >= '0' && c <= '9') return term;
  }
  size_t pos = 0;
  for (int letters = 0; pos < term.size() && letters < kPrefixLetters;
       ++letters) {
    DecodeUtf8(term, &pos);
  }
  return term.substr(0, pos);
}

// A `group:value` pair: a group's three digits and a finite number.
bool ParseGroupValue(absl::string_view pair, int32_t* group, double* value) {
  std::pair<absl::string_view, absl::string_view> kv =
      absl::StrSplit(pair, ':');
  // Values are kept as floats and summed: one far from any count or weight
  // a model file holds (a hostile 1e39 is a float infinity) is refused.
  return kv.first.size() == 3 && absl::ascii_isdigit(kv.first[0]) &&
         absl::SimpleAtoi(kv.first, group) && *group >= 0 &&
         absl::SimpleAtod(kv.second, value) && std::isfinite(*value) &&
         std::abs(*value) <= kMaxModelValue;
}

// Calls parse(fields) for each non-empty line of a tab-separated file
// after its header; the first problem it returns (non-empty) becomes an
// InvalidArgument error naming the file and the line.
template <typename Parse>
absl::Status ForEachRow(absl::string_view tsv, absl::string_view file,
                        Parse parse) {
  int line_no = 0;
  for (absl::string_view line : absl::StrSplit(tsv, '\n')) {
    ++line_no;
    if (line_no == 1 || line.empty()) continue;
    const std::string problem =
        parse(std::vector<absl::string_view>(absl::StrSplit(line, '\t')));
    if (!problem.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(file, ": line ", line_no, ": ", problem));
    }
  }
  return absl::OkStatus();
}

}  // namespace

std::string ConceptTerm(absl::string_view term, absl::string_view language) {
  return std::string(ConceptTermView(term, HasStemmer(language)));
}

CpvConcepts::~CpvConcepts() = default;

bool CpvConcepts::IsConceptLanguage(absl::string_view language) {
  return LanguageIndex(language) >= 0;
}

absl::StatusOr<std::unique_ptr<CpvConcepts>> CpvConcepts::Create(
    absl::string_view labels_tsv, absl::string_view notices_tsv,
    const CpvTaxonomy& cpv, const ConceptWeights& weights,
    absl::string_view concept_classes_tsv,
    absl::string_view discriminative_tsv) {
  std::unique_ptr<CpvConcepts> c(new CpvConcepts);
  c->cpv_ = &cpv;
  c->weights_ = weights;
  for (int l = 0; l <= kConceptLanguageCount; ++l) {
    c->term_id_of_[l] = {c.get(), l < kConceptLanguageCount ? l : -1};
    c->term_id_owners_[l] = NewTermVocabularyOwner();
  }
  c->labels_text_ = std::string(labels_tsv);
  c->labels_.resize(cpv.size());
  c->group_of_.resize(cpv.size());
  for (int o = 0; o < cpv.size(); ++o) {
    c->group_of_[o] = static_cast<int16_t>(GroupKey(cpv.CodeAt(o)));
  }
  int line_no = 0;
  for (absl::string_view line : absl::StrSplit(c->labels_text_, '\n')) {
    ++line_no;
    if (line_no == 1 || line.empty()) continue;  // The header.
    std::vector<absl::string_view> f = absl::StrSplit(line, '\t');
    if (f.size() != kConceptLanguageCount + 1) {
      return absl::InvalidArgumentError(
          absl::StrCat("CPV labels: line ", line_no, ": ", f.size(),
                       " fields, expected ", kConceptLanguageCount + 1));
    }
    absl::StatusOr<CpvCode> code = cpv.Parse(f[0]);
    if (!code.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "CPV labels: line ", line_no, ": ", code.status().message()));
    }
    Labels& labels = c->labels_[cpv.Ordinal(*code)];
    for (int l = 0; l < kConceptLanguageCount; ++l) labels[l] = f[l + 1];
  }
  absl::Status status = ForEachRow(
      notices_tsv, "concept notices",
      [&](const std::vector<absl::string_view>& f) -> std::string {
        int notices;
        if (f.size() < 3 || !absl::SimpleAtoi(f[2], &notices) || notices <= 0) {
          return "expected language, term, notices > 0 and codes";
        }
        const int l = LanguageIndex(f[0]);
        if (l < 0) return absl::StrCat("unknown language \"", f[0], "\"");
        // `group:count ...` into `out`.
        auto parse_groups = [&](absl::string_view field,
                                std::vector<std::pair<int32_t, float>>* out) {
          for (absl::string_view pair : absl::StrSplit(field, ' ')) {
            if (pair.empty()) continue;
            int32_t group;
            double count;
            if (!ParseGroupValue(pair, &group, &count) || count <= 0) {
              return false;
            }
            out->emplace_back(group, static_cast<float>(count));
          }
          return true;
        };
        if (f[1] == "*") {
          c->notice_count_[l] = notices;
          std::vector<std::pair<int32_t, float>> prior, mass;
          if ((f.size() > 3 && !parse_groups(f[3], &prior)) ||
              (f.size() > 4 && !parse_groups(f[4], &mass))) {
            return "bad group:count";
          }
          for (const auto& [g, n] : prior) c->group_notices_[g] += n;
          for (const auto& [g, n] : mass) c->group_mass_[l][g] += n;
          return "";
        }
        NoticeTerm& term = c->notice_terms_[l][f[1]];
        term.notices = notices;
        if (f.size() < 4) return "no codes";
        if (f.size() > 4 && !parse_groups(f[4], &term.groups)) {
          return "bad group:count";
        }
        for (absl::string_view pair : absl::StrSplit(f[3], ' ')) {
          std::pair<absl::string_view, absl::string_view> kv =
              absl::StrSplit(pair, ':');
          float count;
          absl::StatusOr<CpvCode> code = cpv.Parse(kv.first);
          if (!code.ok() || !absl::SimpleAtof(kv.second, &count) ||
              count <= 0) {
            return absl::StrCat("bad code:count \"", pair, "\"");
          }
          term.counts.emplace_back(cpv.Ordinal(*code), count);
        }
        return "";
      });
  if (!status.ok()) return status;
  status =
      ForEachRow(concept_classes_tsv, "concept classes",
                 [&](const std::vector<absl::string_view>& f) -> std::string {
                   int32_t feature;
                   if (f.size() != 2 || f[0].size() != 3 ||
                       !absl::SimpleAtoi(f[0], &feature)) {
                     return "expected a group's 3 digits and group:count pairs";
                   }
                   for (absl::string_view pair : absl::StrSplit(f[1], ' ')) {
                     int32_t group;
                     double count;
                     if (!ParseGroupValue(pair, &group, &count) || count <= 0) {
                       return absl::StrCat("bad group:count \"", pair, "\"");
                     }
                     c->pooled_groups_.counts[feature][group] += count;
                     c->pooled_groups_.totals[group] += count;
                     c->pooled_divisions_.counts[feature][group / 10] += count;
                     c->pooled_divisions_.totals[group / 10] += count;
                   }
                   return "";
                 });
  if (!status.ok()) return status;
  c->pooled_vocabulary_ = c->pooled_groups_.counts.size() + 1.0;
  status = ForEachRow(
      discriminative_tsv, "discriminative model",
      [&](const std::vector<absl::string_view>& f) -> std::string {
        uint32_t feature;
        if (f.size() != 2 || !absl::SimpleAtoi(f[0], &feature)) {
          return "expected a feature hash and group:weight pairs";
        }
        std::vector<GroupWeight>& weights = c->discriminative_[feature];
        if (!weights.empty()) return absl::StrCat("feature ", f[0], " again");
        for (absl::string_view pair : absl::StrSplit(f[1], ' ')) {
          int32_t group;
          double weight;
          if (!ParseGroupValue(pair, &group, &weight)) {
            return absl::StrCat("bad group:weight \"", pair, "\"");
          }
          weights.push_back({group, static_cast<float>(weight)});
        }
        return "";
      });
  if (!status.ok()) return status;
  return c;
}

const CpvConcepts& CpvConcepts::Builtin() {
  static const CpvConcepts* const kBuiltin = [] {
    absl::StatusOr<std::unique_ptr<CpvConcepts>> c = Create(
        internal::kCpvLabelsTsv, internal::kConceptNoticesTsv,
        CpvTaxonomy::Builtin(), ConceptWeights(), internal::kConceptClassesTsv,
        internal::kConceptDiscriminativeTsv);
    // The embedded files are part of the build and tested; failing here is
    // a build defect, not an input error.
    if (!c.ok()) {
      std::fprintf(stderr, "procmatch: builtin CPV concepts: %s\n",
                   std::string(c.status().message()).c_str());
      std::abort();
    }
    return c->release();
  }();
  return *kBuiltin;
}

absl::string_view CpvConcepts::Label(CpvCode code,
                                     absl::string_view language) const {
  const int o = cpv_->Ordinal(code);
  const int l = LanguageIndex(language);
  if (o < 0 || l < 0) return "";
  return labels_[o][l];
}

std::shared_ptr<const std::vector<std::string>> CpvConcepts::LabelTerms(
    CpvCode code, absl::string_view language) const {
  const int o = cpv_->Ordinal(code);
  const int l = LanguageIndex(language);
  if (o < 0 || l < 0) return std::make_shared<std::vector<std::string>>();
  const int64_t key = static_cast<int64_t>(o) * kConceptLanguageCount + l;
  {
    std::lock_guard<std::mutex> lock(label_terms_mutex_);
    auto it = label_terms_.find(key);
    if (it != label_terms_.end()) return it->second;
  }
  // Analysed outside the lock; two threads may both analyse, to one result.
  absl::StatusOr<std::vector<std::string>> terms =
      AnalyzeText(labels_[o][l], language);
  auto value = std::make_shared<const std::vector<std::string>>(
      terms.ok() ? *std::move(terms) : std::vector<std::string>());
  std::lock_guard<std::mutex> lock(label_terms_mutex_);
  return label_terms_.try_emplace(key, std::move(value)).first->second;
}

const CpvConcepts::LanguageModel& CpvConcepts::Model(int language) const {
  const int l = ModelIndex(language);
  std::call_once(built_[l], [&] {
    auto model = std::make_unique<LanguageModel>();
    BuildModel(l, model.get());
    models_[l] = std::move(model);
  });
  return *models_[l];
}

void CpvConcepts::BuildModel(int l, LanguageModel* model) const {
  const absl::string_view language = kConceptLanguages[l];
  // Each label's distinct concept terms, and each term's label frequency.
  std::vector<std::vector<std::string>> label_terms(labels_.size());
  absl::flat_hash_map<std::string, int> df;
  int labelled = 0;
  for (size_t o = 0; o < labels_.size(); ++o) {
    if (labels_[o][l].empty()) continue;
    absl::StatusOr<std::vector<std::string>> terms =
        AnalyzeText(labels_[o][l], language);
    if (!terms.ok()) continue;  // Labels are checked UTF-8 by the tests.
    std::vector<std::string>& t = label_terms[o];
    t = ConceptTerms(*terms, language);
    std::sort(t.begin(), t.end());
    t.erase(std::unique(t.begin(), t.end()), t.end());
    for (const std::string& term : t) ++df[term];
    ++labelled;
  }
  auto idf = [&](const std::string& term) {
    return std::log(1.0 + static_cast<double>(labelled) / df[term]);
  };
  // How specific a word is among the language's notices, in [0, 1]: 1 for
  // a word no notice has, near 0 for one every notice has.
  const double n_notices = notice_count_[l];
  auto notice_specificity = [&](const std::string& term) {
    if (!weights_.discount_notice_words || n_notices <= 0) return 1.0;
    return NoticeSpecificity(l, term);
  };
  absl::flat_hash_map<std::string, std::vector<std::pair<int32_t, float>>>
      label_links;
  for (size_t o = 0; o < labels_.size(); ++o) {
    double sum = 0;
    for (const std::string& term : label_terms[o]) sum += idf(term);
    for (const std::string& term : label_terms[o]) {
      const double i = idf(term);
      label_links[term].emplace_back(
          static_cast<int32_t>(o),
          static_cast<float>(i * i / sum * notice_specificity(term)));
    }
  }
  for (auto& [term, links] : label_links) {
    KeepStrongest(&links, std::max(0, weights_.max_label_links),
                  weights_.min_label_link_share);
    std::vector<Link>& out = model->links[term].label;
    for (const auto& [o, w] : links) out.push_back({o, w});
  }
  BuildClassifier(l, label_terms, model);
  const double notices = std::max(1, notice_count_[l]);
  for (const auto& [term, nt] : notice_terms_[l]) {
    const double specificity = std::pow(std::log(1.0 + notices / nt.notices),
                                        weights_.notice_specificity_power);
    std::vector<Link>& out = model->links[term].notices;
    for (const auto& [o, count] : nt.counts) {
      out.push_back({o, static_cast<float>(weights_.notices * specificity *
                                           count / (nt.notices + 1.0))});
    }
  }
  BuildFlatLinks(*model, &model->flat);
}

void CpvConcepts::BuildFlatLinks(const LanguageModel& model, FlatLinks* flat) {
  std::vector<const std::pair<const std::string, TermLinks>*> terms;
  size_t text_size = 0;
  for (const auto& entry : model.links) {
    if (entry.second.label.empty() && entry.second.notices.empty()) continue;
    terms.push_back(&entry);
    text_size += entry.first.size();
  }
  std::sort(terms.begin(), terms.end(),
            [](const auto* a, const auto* b) { return a->first < b->first; });
  // Views into `text` stay valid: it is reserved whole before the first.
  flat->text.reserve(text_size);
  flat->ids.reserve(terms.size());
  auto by_ordinal = [](const Link& a, const Link& b) {
    return a.ordinal < b.ordinal;
  };
  for (const auto* entry : terms) {
    for (const std::vector<Link>* part :
         {&entry->second.label, &entry->second.notices}) {
      for (const Link& link : *part) {
        flat->positive = flat->positive && link.weight > 0;
      }
    }
    const size_t at = flat->text.size();
    flat->text.append(entry->first);
    const int32_t id = static_cast<int32_t>(flat->links.size());
    for (const std::vector<Link>* part :
         {&entry->second.label, &entry->second.notices}) {
      flat->links.push_back({-1 - static_cast<int32_t>(part->size()), 0});
    }
    for (const std::vector<Link>* part :
         {&entry->second.label, &entry->second.notices}) {
      const size_t from = flat->links.size();
      flat->links.insert(flat->links.end(), part->begin(), part->end());
      // Stable: a hostile notice file may link a term to a code twice.
      std::stable_sort(flat->links.begin() + from, flat->links.end(),
                       by_ordinal);
    }
    flat->ids.emplace(
        absl::string_view(flat->text).substr(at, entry->first.size()), id);
  }
}

// Inline: called once per distinct term of every language bucket, where a
// call cost more than the span's reads (11 M instructions in a 10k build).
inline bool CpvConcepts::SpanOf(const FlatLinks& flat, int32_t id,
                                TermSpan* span) {
  // A header's second entry is followed by a link (every term has one), so
  // an id at a second entry, or at a link, is no term's.
  if (id < 0 || static_cast<size_t>(id) + 1 >= flat.links.size() ||
      flat.links[id].ordinal >= 0 || flat.links[id + 1].ordinal >= 0) {
    return false;
  }
  span->label = static_cast<uint32_t>(id) + 2;
  span->notices =
      span->label + static_cast<uint32_t>(-1 - flat.links[id].ordinal);
  span->end =
      span->notices + static_cast<uint32_t>(-1 - flat.links[id + 1].ordinal);
  return true;
}

double CpvConcepts::NoticeSpecificity(int l, const std::string& term) const {
  const double n_notices = notice_count_[l];
  auto it = notice_terms_[l].find(term);
  const double n = it == notice_terms_[l].end() ? 0 : it->second.notices;
  return std::log(1 + (n_notices + 1) / (n + 1)) /
         std::log(1 + (n_notices + 1));
}

void CpvConcepts::BuildClassifier(
    int l, const std::vector<std::vector<std::string>>& label_terms,
    LanguageModel* model) const {
  // Word counts per group: the notices' masses and each label's distinct
  // words, label_prior each.
  absl::flat_hash_map<std::string, absl::flat_hash_map<int32_t, double>> counts;
  absl::flat_hash_map<int32_t, double> totals = group_mass_[l];
  for (size_t o = 0; o < label_terms.size(); ++o) {
    if (label_terms[o].empty()) continue;
    const int32_t g = GroupKey(cpv_->CodeAt(o));
    for (const std::string& term : label_terms[o]) {
      counts[term][g] += weights_.label_prior;
    }
    totals[g] += weights_.label_prior * label_terms[o].size();
  }
  for (const auto& [term, nt] : notice_terms_[l]) {
    for (const auto& [g, mass] : nt.groups) counts[term][g] += mass;
  }
  const double s = weights_.smoothing;
  const double vocabulary = counts.size() + 1.0;
  // Classes: every group with a label or a notice, and their divisions.
  absl::flat_hash_map<int32_t, double> division_totals;
  for (const auto& [g, total] : totals) division_totals[g / 10] += total;
  absl::flat_hash_map<int32_t, double> division_notices;
  double all_notices = 0;
  for (const auto& [g, n] : group_notices_) {
    division_notices[g / 10] += n;
    all_notices += n;
  }
  // A class no training notice has gets half a notice of prior.
  auto fill = [&](const absl::flat_hash_map<int32_t, double>& class_totals,
                  const absl::flat_hash_map<int32_t, double>& class_notices,
                  ClassTotals* out) {
    const double denominator = all_notices + 0.5 * class_totals.size();
    for (const auto& [key, total] : class_totals) {
      auto it = class_notices.find(key);
      const double n = it == class_notices.end() ? 0 : it->second;
      out->prior_and_norm[key] = {std::log((n + 0.5) / denominator),
                                  std::log(total + s * vocabulary)};
    }
  };
  fill(totals, group_notices_, &model->groups);
  fill(division_totals, division_notices, &model->divisions);
  for (auto& [term, by_group] : counts) {
    TermLinks& links = model->links[term];
    absl::flat_hash_map<int32_t, double> by_division;
    for (const auto& [g, count] : by_group) {
      links.groups.push_back({g, static_cast<float>(std::log1p(count / s))});
      by_division[g / 10] += count;
    }
    for (const auto& [d, count] : by_division) {
      links.divisions.push_back({d, static_cast<float>(std::log1p(count / s))});
    }
    // By key: scores summed in the same order in every process.
    auto by_key = [](const ClassGain& a, const ClassGain& b) {
      return a.key < b.key;
    };
    std::sort(links.groups.begin(), links.groups.end(), by_key);
    std::sort(links.divisions.begin(), links.divisions.end(), by_key);
  }
}

CpvConcepts::ClassScores CpvConcepts::Classify(
    const std::vector<std::pair<std::string, double>>& weighted_terms,
    int language, bool divisions) const {
  const LanguageModel& model = Model(language);
  const ClassTotals& totals = divisions ? model.divisions : model.groups;
  absl::flat_hash_map<int32_t, double> evidence;
  double mass = 0;
  for (const auto& [term, weight] : weighted_terms) {
    auto it = model.links.find(term);
    if (it == model.links.end()) continue;
    const std::vector<ClassGain>& gains =
        divisions ? it->second.divisions : it->second.groups;
    if (gains.empty()) continue;
    mass += weight;
    for (const ClassGain& g : gains) evidence[g.key] += weight * g.gain;
  }
  ClassScores out;
  out.reserve(evidence.size());
  for (const auto& [key, e] : evidence) {
    auto it = totals.prior_and_norm.find(key);
    if (it == totals.prior_and_norm.end()) continue;
    out.emplace_back(key, it->second.first + e - mass * it->second.second);
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return a.second > b.second || (a.second == b.second && a.first < b.first);
  });
  return out;
}

namespace {

// Ranking order: higher score first, then lower ordinal (a total order:
// ordinals are distinct).
struct Better {
  bool operator()(const std::pair<int32_t, double>& a,
                  const std::pair<int32_t, double>& b) const {
    return a.second > b.second || (a.second == b.second && a.first < b.first);
  }
};

// The `n` scores from `first`, for a range-based loop.
struct Entries {
  const std::pair<int32_t, double>* first;
  size_t n;
  const std::pair<int32_t, double>* begin() const { return first; }
  const std::pair<int32_t, double>* end() const { return first + n; }
};

}  // namespace

std::vector<std::pair<int32_t, double>> CpvConcepts::RawScores(
    const std::vector<std::string>& terms, int language,
    bool labels_only) const {
  ScoreBuffer raw;
  RawScoresOfIdsInto(TermIdsOf(terms, language), language, labels_only, &raw);
  raw.entries.resize(raw.size);
  return std::move(raw.entries);
}

int32_t CpvConcepts::TermIdIn(absl::string_view term, int l) const {
  const FlatLinks& flat = Model(l).flat;
  auto it =
      flat.ids.find(ConceptTermView(term, HasStemmer(kConceptLanguages[l])));
  return it == flat.ids.end() ? -1 : it->second;
}

int32_t CpvConcepts::TermIdOf::operator()(absl::string_view term) const {
  return language < 0 ? -1 : concepts->TermIdIn(term, language);
}

const std::vector<int32_t>& CpvConcepts::TermIdsOf(
    const std::vector<std::string>& terms, int l) const {
  thread_local std::vector<int32_t> ids;
  ids.clear();
  for (const std::string& t : terms) ids.push_back(TermIdIn(t, l));
  return ids;
}

int32_t CpvConcepts::TermId(absl::string_view term,
                            absl::string_view language) const {
  const int l = LanguageIndex(language);
  return l < 0 ? -1 : TermIdIn(term, l);
}

TermVocabulary CpvConcepts::TermIds(absl::string_view language) const {
  const int l = LanguageIndex(language);
  const int at = l < 0 ? kConceptLanguageCount : l;
  // The language's links are built now, not by the vocabulary's first call:
  // building them analyses the labels, which the analyser's memo, in use
  // during that call, must not see (TermVocabulary).
  if (l >= 0) Model(l);
  return TermVocabulary{term_id_owners_[at], NoTermId, term_id_of_[at]};
}

CpvConcepts::DenseScores CpvConcepts::SumLinksOfIds(
    const std::vector<int32_t>& ids, const FlatLinks& flat,
    bool labels_only) const {
  // The ids sorted: each code's score is summed in term order in every
  // process (a snapshot loaded in another process must score exactly as
  // the index it was saved from), and a term met n times is summed once.
  thread_local std::vector<int32_t> sorted;
  sorted.clear();
  for (int32_t id : ids) {
    if (id < 0 || static_cast<size_t>(id) >= flat.links.size()) continue;
    sorted.push_back(id);
    // The term's header and first links are fetched while the other ids
    // are read: waiting for them was a sixth of RawScores' samples
    // (session 11).
    __builtin_prefetch(&flat.links[id]);
  }
  std::sort(sorted.begin(), sorted.end());
  // Dense scores by ordinal, reused by the thread: index building calls
  // this once per supplier, and a hash map per call cost three times the
  // rest of a build (doc/benchmarks.md, issue 14). The ordinals touched are
  // marked in a bit set, read back in ordinal order.
  thread_local std::vector<double> dense_scores;
  thread_local std::vector<uint64_t> touched_words;
  if (dense_scores.size() < labels_.size()) {
    dense_scores.assign(labels_.size(), 0.0);
    touched_words.assign((labels_.size() + 63) / 64, 0);
  }
  // The loops read locals only: through the thread's vectors, each store
  // into a score would reload them (session 15).
  double* const dense = dense_scores.data();
  uint64_t* const touched = touched_words.data();
  const Link* const links = flat.links.data();
  // The largest value any score took on the way: with every link above 0
  // (FlatLinks::positive) a score only grows as links are added (rounding
  // is monotone: s + x >= s for x > 0), so it is the largest final score.
  double largest = 0;
  for (size_t i = 0; i < sorted.size();) {
    size_t j = i;
    while (j < sorted.size() && sorted[j] == sorted[i]) ++j;
    // The next term's links are fetched while this one's are summed.
    if (j < sorted.size()) __builtin_prefetch(links + sorted[j]);
    TermSpan span;
    if (!SpanOf(flat, sorted[i], &span)) {
      i = j;
      continue;
    }
    const Link* const end = links + (labels_only ? span.notices : span.end);
    // A term met once (most) is summed without its factor: log(1) is 0
    // exactly, the factor 1 exactly, and 1 * w is w to the bit, so the sums
    // are the same bits as by the general loop, in the same order. Each
    // ordinal touched is marked in a bit set (read back in ordinal order):
    // the marks are not counted, the read-back scans every word (session
    // 16: counting cost more than the scan).
    if (j - i == 1) {
      for (const Link* link = links + span.label; link != end; ++link) {
        const int32_t o = link->ordinal;
        touched[o >> 6] |= uint64_t{1} << (o & 63);
        const double v = dense[o] + link->weight;
        dense[o] = v;
        largest = std::max(largest, v);
      }
    } else {
      const double f = 1.0 + std::log(static_cast<double>(j - i));
      for (const Link* link = links + span.label; link != end; ++link) {
        const int32_t o = link->ordinal;
        touched[o >> 6] |= uint64_t{1} << (o & 63);
        const double v = dense[o] + f * link->weight;
        dense[o] = v;
        largest = std::max(largest, v);
      }
    }
    i = j;
  }
  return DenseScores{dense, touched, touched_words.size(), largest};
}

namespace {

// Calls `visit(ordinal, score)` for each code SumLinksOfIds marked in
// `touched` (`words` 64-bit words), in ordinal order, zeroing its score in
// `dense` and its mark as it goes, so that the next sum finds both clean:
// the read-back every reader of the dense scores shares.
template <typename Visit>
void DrainInOrdinalOrder(double* dense, uint64_t* touched, size_t words,
                         Visit visit) {
  for (size_t w = 0; w < words; ++w) {
    uint64_t bits = touched[w];
    if (bits == 0) continue;
    touched[w] = 0;
    // Counted down bit by bit: the build targets no popcount instruction.
    for (; bits != 0; bits &= bits - 1) {
      const int32_t o = static_cast<int32_t>(w * 64 + __builtin_ctzll(bits));
      const double s = dense[o];
      dense[o] = 0;
      visit(o, s);
    }
  }
}

}  // namespace

void CpvConcepts::RawScoresOfIdsInto(const std::vector<int32_t>& ids,
                                     int language, bool labels_only,
                                     ScoreBuffer* raw) const {
  const FlatLinks& flat = Model(language).flat;
  const DenseScores sums = SumLinksOfIds(ids, flat, labels_only);
  double* const dense = sums.dense;
  uint64_t* const touched = sums.touched;
  // At most one entry per ordinal marked: room for every code.
  std::pair<int32_t, double>* const out = raw->Room(labels_.size());
  size_t kept = 0;
  // The codes marked, in ordinal order, each written always and kept
  // unless its score is 0 (no branch to mispredict). When every link
  // weighs more than 0 (FlatLinks::positive) no score is 0: each is a sum
  // of f * w with f >= 1 and w > 0, neither rounded to 0 nor cancelled, and
  // no score is tested.
  auto read_back = [&](auto drop_zeros) {
    DrainInOrdinalOrder(dense, touched, sums.words, [&](int32_t o, double s) {
      out[kept] = {o, s};
      kept += !decltype(drop_zeros)::value || s != 0;
    });
  };
  if (flat.positive) {
    read_back(std::false_type());
  } else {
    read_back(std::true_type());
  }
  raw->size = kept;
}

bool CpvConcepts::LeastScoreOfWeight(double weight, double best,
                                     double* least) {
  if (weight == -HUGE_VAL) {
    *least = -HUGE_VAL;
    return true;
  }
  double s = weight * best;
  if (!std::isnormal(s) || !std::isfinite(best)) return false;
  while (!(s / best >= weight)) s = std::nextafter(s, HUGE_VAL);
  for (double below = std::nextafter(s, -HUGE_VAL); below / best >= weight;
       below = std::nextafter(below, -HUGE_VAL)) {
    s = below;
  }
  *least = s;
  return true;
}

void CpvConcepts::DropUnderWeights(double best, double min_weight,
                                   double min_merged_weight,
                                   ScoreBuffer* scored) {
  size_t kept = 0;
  for (const auto& [o, s] : *scored) {
    if (s < min_weight * best || s / best < min_merged_weight) continue;
    scored->entries[kept++] = {o, s};
  }
  scored->size = kept;
}

double CpvConcepts::MergeCandidatesOfIdsInto(const std::vector<int32_t>& ids,
                                             int language, double min_weight,
                                             double min_merged_weight,
                                             ScoreBuffer* scored) const {
  const FlatLinks& flat = Model(language).flat;
  const double group_support = weights_.group_support;
  // The one pass below needs the defaults' ranking (family maxima, no
  // division support, a finite group support >= 0: RankingScores' group
  // runs) and links all above 0 (the largest score known from the sums).
  if (!flat.positive || weights_.family_by_sum ||
      weights_.division_support != 0 || !std::isfinite(group_support) ||
      group_support < 0) {
    thread_local ScoreBuffer raw;
    RawScoresOfIdsInto(ids, language, /*labels_only=*/false, &raw);
    const double best =
        RankingScores(raw.begin(), raw.size, min_weight, scored);
    if (best > 0) {
      DropUnderWeights(best, min_weight, min_merged_weight, scored);
    }
    return best;
  }
  const DenseScores sums = SumLinksOfIds(ids, flat, /*labels_only=*/false);
  double* const dense = sums.dense;
  uint64_t* const touched = sums.touched;
  const int16_t* const group_of = group_of_.data();
  // RankingScores' best, from the largest raw score (the largest group
  // strength, max(0, s*)), to the bit: the same expression.
  const double largest = sums.largest;
  const double best = std::max(0.0, largest + group_support * largest);
  // The cuts, when the best is positive (else there is none, and the merge
  // takes nothing of the part): RankingScores' floor, min_weight * best
  // when min_weight > 0, which is also ConceptsOfRanked's cut (that one
  // whatever the sign of min_weight), and the merged weight's, as the least
  // score of that weight. A code under any is under their maximum, and the
  // other way round.
  double floor = -HUGE_VAL;
  bool divide = false;
  if (best > 0) {
    floor = min_weight * best;
    double least;
    if (LeastScoreOfWeight(min_merged_weight, best, &least)) {
      floor = std::max(floor, least);
    } else {
      divide = true;
    }
  }
  // The read-back of RawScoresOfIdsInto and RankingScores' group runs in
  // one pass (session 17: RankingScores' two passes over the raw scores
  // were 192 M of the merge's 669 M instructions in a 10k build): the
  // codes come in ordinal order, so a group's are consecutive; a run's raw
  // scores are written from `run_start`, and when the next group starts
  // (or the codes end) the run is scored in place, each code's score s +
  // group_support * strength, the expression RankingScores computes, kept
  // unless under the floor (the kept entries are never ahead of the ones
  // read: scores are written at `kept` <= the run's start).
  std::pair<int32_t, double>* const out = scored->Room(labels_.size());
  size_t kept = 0;
  size_t run_start = 0;
  size_t run_end = 0;
  int group = -1;
  double strength = 0;
  auto score_run = [&] {
    const double support = group_support * strength;
    // No code of the run scores above strength + support (RankingScores).
    if (strength + support < floor) return;
    for (size_t i = run_start; i < run_end; ++i) {
      const double v = out[i].second + support;
      out[kept] = {out[i].first, v};
      kept += !(v < floor);
    }
  };
  DrainInOrdinalOrder(dense, touched, sums.words, [&](int32_t o, double s) {
    const int g = group_of[o];
    if (g != group) {
      score_run();
      run_start = run_end = kept;
      group = g;
      strength = 0;
    }
    out[run_end++] = {o, s};
    strength = std::max(strength, s);
  });
  score_run();
  scored->size = kept;
  if (divide) DropUnderWeights(best, min_weight, min_merged_weight, scored);
  return best;
}

std::vector<std::pair<int32_t, double>> CpvConcepts::RawScoresByDefinition(
    const std::vector<std::string>& terms, int language,
    bool labels_only) const {
  const LanguageModel& model = Model(language);
  const absl::string_view lang = kConceptLanguages[language];
  std::map<std::string, int> occurrences;
  for (const std::string& t : terms) ++occurrences[ConceptTerm(t, lang)];
  std::map<int32_t, double> scores;
  for (const auto& [term, n] : occurrences) {
    auto it = model.links.find(term);
    if (it == model.links.end()) continue;
    const double f = 1.0 + std::log(static_cast<double>(n));
    for (const Link& link : it->second.label) {
      scores[link.ordinal] += f * link.weight;
    }
    if (labels_only) continue;
    for (const Link& link : it->second.notices) {
      scores[link.ordinal] += f * link.weight;
    }
  }
  std::vector<std::pair<int32_t, double>> raw;
  for (const auto& [o, score] : scores) {
    if (score != 0) raw.emplace_back(o, score);
  }
  return raw;
}

double CpvConcepts::RankingScores(const std::pair<int32_t, double>* raw,
                                  size_t n, double min_share,
                                  ScoreBuffer* scored) const {
  // The loops read locals only: through the members and the thread's
  // vectors, each store into a score would reload them (session 15).
  const int16_t* const group_of = group_of_.data();
  const double group_support = weights_.group_support;
  const double division_support = weights_.division_support;
  const bool by_sum = weights_.family_by_sum;
  // Without division support (the default) a code's score adds nothing for
  // its division (s + a + 0 * d is s + a to the bit): its family is not
  // kept.
  const bool divisions = division_support != 0;
  // Group and division strength: the largest of 0 and the family's raw
  // scores, or their sum, in ordinal order (sums the same in every
  // process). A code's score is s + group_support * its group's strength
  // (+ division_support * its division's).
  //
  // The best score first. Under family maxima with finite supports >= 0
  // (the defaults) it is the score of the largest raw score's code, o*
  // with raw s*, without scoring the others: o*'s group and division have
  // strength max(0, s*), which no family exceeds, and no code's raw score
  // exceeds s*; a code's score rounds s + support * family (+ support *
  // division), every operation of which is monotone in its operands
  // (rounding is monotone, the supports are >= 0), so no code's score
  // exceeds o*'s, to the bit. Two codes of raw s* score alike (their
  // families both have max(0, s*)). Otherwise (family sums: a family of
  // several weaker codes may outweigh o*'s) every code is scored.
  // Then the codes scored (again, where the best was found so: the same
  // arithmetic, the same bits: the build contracts no multiply-add, no
  // -ffp-contract=fast with an FMA target, so every score rounds alike),
  // those under min_share of the best (when it is positive) left out before
  // any is stored or compared with another: the concepts of a text drop
  // them anyway (ConceptsOfRanked), and most of a text's codes are far
  // below its best.
  const bool best_of_largest =
      !by_sum && std::isfinite(group_support) && group_support >= 0 &&
      std::isfinite(division_support) && division_support >= 0;
  std::pair<int32_t, double>* const out = scored->Room(n);
  size_t kept = 0;
  double best = 0;
  if (best_of_largest && !divisions) {
    // The defaults: each group's strength is read off its codes, which are
    // adjacent in `raw` (ordinals ascend with the codes, so a group's are
    // consecutive): one pass finds the groups' runs, their strengths and
    // the largest raw score s* (the largest strength: the same maximum
    // taken in another order), then the runs are scored, with no table of
    // families. max(0, s*): o*'s group's strength; o*'s score, the best, is
    // s* plus its support (0 + 0 when s* < 0, as the family table would
    // give).
    thread_local std::vector<std::pair<size_t, double>> group_runs;
    if (group_runs.size() < n) group_runs.resize(n);
    std::pair<size_t, double>* const runs =
        group_runs.data();  // End, strength.
    size_t run_count = 0;
    double largest = 0;
    for (size_t i = 0; i < n;) {
      const int g = group_of[raw[i].first];
      double strength = 0;
      size_t end = i;
      for (; end < n && group_of[raw[end].first] == g; ++end) {
        strength = std::max(strength, raw[end].second);
      }
      largest = std::max(largest, strength);
      runs[run_count++] = {end, strength};
      i = end;
    }
    if (n > 0) best = std::max(best, largest + group_support * largest);
    const double floor =
        min_share > 0 && best > 0 ? min_share * best : -HUGE_VAL;
    size_t i = 0;
    for (size_t r = 0; r < run_count; ++r) {
      const auto [end, strength] = runs[r];
      const double support = group_support * strength;
      // No code of the run scores above strength + support (each raw score
      // is at most the strength, and rounding is monotone, as for the best
      // above): when that is under the floor, the whole run is left out
      // unscored. (Session 16: scoring the runs in a second pass, after
      // the one finding them, took a quarter fewer instructions than
      // finding and scoring each run in one.)
      if (strength + support < floor) {
        i = end;
        continue;
      }
      for (; i < end; ++i) {
        const double v = raw[i].second + support;
        // Written always, kept when not under the floor: no branch.
        out[kept] = {raw[i].first, v};
        kept += !(v < floor);
      }
    }
    scored->size = kept;
    return best;
  }
  // Otherwise the families in a table by key: a group's first three digits
  // (< 1000), a division's first two plus 1000.
  thread_local std::vector<double> families;
  if (families.size() < 1100) families.assign(1100, 0.0);
  double* const family = families.data();
  // The code of the largest raw score (the first of equals).
  int32_t largest = -1;
  double largest_raw = -HUGE_VAL;
  for (const auto& [o, s] : Entries{raw, n}) {
    const int g = group_of[o];
    if (s > largest_raw) {
      largest = o;
      largest_raw = s;
    }
    if (by_sum) {
      family[g] += s;
      if (divisions) family[1000 + g / 10] += s;
    } else {
      family[g] = std::max(family[g], s);
      if (divisions) {
        family[1000 + g / 10] = std::max(family[1000 + g / 10], s);
      }
    }
  }
  auto score = [&](int32_t o, double s) {
    const int g = group_of[o];
    const double v = s + group_support * family[g];
    return divisions ? v + division_support * family[1000 + g / 10] : v;
  };
  if (!best_of_largest) {
    for (const auto& [o, s] : Entries{raw, n}) {
      best = std::max(best, score(o, s));
    }
  } else if (largest >= 0) {
    best = std::max(best, score(largest, largest_raw));
  }
  const double floor = min_share > 0 && best > 0 ? min_share * best : -HUGE_VAL;
  for (const auto& [o, s] : Entries{raw, n}) {
    const double v = score(o, s);
    if (!(v < floor)) out[kept++] = {o, v};
  }
  scored->size = kept;
  for (const auto& [o, s] : Entries{raw, n}) {
    const int g = group_of[o];
    family[g] = 0;
    if (divisions) family[1000 + g / 10] = 0;
  }
  return best;
}

std::vector<std::pair<int32_t, double>> CpvConcepts::Ranked(
    const std::vector<std::pair<int32_t, double>>& raw, size_t keep,
    double min_share) const {
  thread_local ScoreBuffer scored;
  RankingScores(raw.data(), raw.size(), min_share, &scored);
  // The best `keep` by a partition, then sorted: the same as sorting all
  // and keeping the head (Better is a total order).
  if (keep < scored.size) {
    std::nth_element(scored.begin(), scored.begin() + keep, scored.end(),
                     Better());
    scored.size = keep;
  }
  std::vector<std::pair<int32_t, double>> ranked(scored.begin(), scored.end());
  std::sort(ranked.begin(), ranked.end(), Better());
  return ranked;
}

std::vector<std::pair<int32_t, double>> CpvConcepts::RankedByDefinition(
    const std::vector<std::pair<int32_t, double>>& raw, size_t keep,
    double min_share) const {
  std::map<int32_t, double> family;  // Keys as in Ranked.
  for (const auto& [o, s] : raw) {
    const int g = static_cast<int>(cpv_->CodeAt(o).digits() / 100000);
    for (int key : {g, 1000 + g / 10}) {
      double& f = family[key];
      f = weights_.family_by_sum ? f + s : std::max(f, s);
    }
  }
  std::vector<std::pair<int32_t, double>> ranked;
  for (const auto& [o, s] : raw) {
    const int g = static_cast<int>(cpv_->CodeAt(o).digits() / 100000);
    ranked.emplace_back(o,
                        s + weights_.group_support * family[g] +
                            weights_.division_support * family[1000 + g / 10]);
  }
  std::sort(ranked.begin(), ranked.end(), Better());
  if (ranked.size() > keep) ranked.resize(keep);
  if (min_share > 0 && !ranked.empty() && ranked[0].second > 0) {
    const double floor = min_share * ranked[0].second;
    while (!ranked.empty() && ranked.back().second < floor) ranked.pop_back();
  }
  return ranked;
}

absl::StatusOr<int> CpvConcepts::ResolveLanguage(
    absl::string_view text, absl::string_view language) const {
  if (language.empty()) {
    const LanguageGuess guess = DetectLanguage(text);
    return LanguageIndex(guess.language.empty() ? "en" : guess.language);
  }
  const int l = LanguageIndex(absl::AsciiStrToLower(language));
  if (l < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "language \"", language, "\" is not an official EU language"));
  }
  return l;
}

namespace {

// The concepts of ranked codes, best first: at most `max_concepts`, those
// below `min_weight` of the strongest dropped, weights over the strongest.
std::vector<Concept> ConceptsOfRanked(
    const CpvTaxonomy& cpv,
    const std::vector<std::pair<int32_t, double>>& ranked, int max_concepts,
    double min_weight) {
  std::vector<Concept> out;
  if (ranked.empty() || ranked[0].second <= 0) return out;
  const double top = ranked[0].second;
  for (const auto& [o, s] : ranked) {
    if (static_cast<int>(out.size()) >= max_concepts || s < min_weight * top) {
      break;
    }
    out.push_back({cpv.CodeAt(o), s / top});
  }
  return out;
}

}  // namespace

std::vector<Concept> CpvConcepts::TopConcepts(
    const std::vector<std::string>& terms, int l, int max_concepts,
    double min_weight, bool labels_only) const {
  return ConceptsOfRanked(*cpv_,
                          Ranked(RawScores(terms, l, labels_only),
                                 std::max(0, max_concepts), min_weight),
                          max_concepts, min_weight);
}

std::vector<Concept> CpvConcepts::TopConceptsByDefinition(
    const std::vector<std::string>& terms, int l, int max_concepts,
    double min_weight, bool labels_only) const {
  return ConceptsOfRanked(
      *cpv_,
      RankedByDefinition(RawScoresByDefinition(terms, l, labels_only),
                         std::max(0, max_concepts)),
      max_concepts, min_weight);
}

bool CpvConcepts::LinksTerm(absl::string_view term,
                            absl::string_view language) const {
  const int l = LanguageIndex(language);
  if (l < 0) return false;
  const LanguageModel& model = Model(l);
  auto it =
      model.links.find(ConceptTermView(term, HasStemmer(kConceptLanguages[l])));
  if (it == model.links.end()) return false;
  // RawScores adds each link's weight (>= 0): a code is scored when one is
  // above 0.
  for (const std::vector<Link>* links :
       {&it->second.label, &it->second.notices}) {
    for (const Link& link : *links) {
      if (link.weight > 0) return true;
    }
  }
  return false;
}

std::vector<Concept> CpvConcepts::ConceptsOfTerms(
    const std::vector<std::string>& terms, absl::string_view language,
    int max_concepts, double min_weight) const {
  const int l = LanguageIndex(language);
  if (l < 0 || terms.empty()) return {};
  return TopConcepts(terms, l, max_concepts, min_weight,
                     /*labels_only=*/false);
}

std::vector<Concept> CpvConcepts::MergedConceptsOfTerms(
    const std::vector<LanguageTerms>& parts, int max_concepts,
    double min_weight) const {
  std::vector<std::vector<int32_t>> ids(parts.size());
  std::vector<LanguageTermIds> id_parts;
  id_parts.reserve(parts.size());
  for (size_t i = 0; i < parts.size(); ++i) {
    const int l = LanguageIndex(parts[i].language);
    if (l >= 0) ids[i] = TermIdsOf(*parts[i].terms, l);
    id_parts.push_back({parts[i].language, &ids[i]});
  }
  return MergedConceptsOfTermIds(id_parts, max_concepts, min_weight);
}

std::vector<Concept> CpvConcepts::MergedConceptsOfTermIds(
    const std::vector<LanguageTermIds>& parts, int max_concepts,
    double min_weight) const {
  std::vector<Concept> out;
  if (max_concepts <= 0) return out;
  const size_t keep = static_cast<size_t>(max_concepts);
  // The thread's vectors: index building calls this once per supplier.
  thread_local ScoreBuffer scored;
  // (ordinal, weight): each code's largest weight over the parts so far,
  // the strongest `keep` only. A code left out cannot come back at that
  // weight: later parts only add codes or raise weights, so the keep-th
  // weight only grows.
  thread_local ScoreBuffer merged;
  // Each code's place in `merged` by ordinal, -1 for none (every entry -1
  // between calls): a part's code finds its earlier weight without sorting
  // the merged codes by ordinal (session 17: sorting them once per part
  // cost 40 M instructions in a 10k build).
  thread_local std::vector<int32_t> places;
  if (places.size() < labels_.size()) places.assign(labels_.size(), -1);
  int32_t* const place = places.data();
  // Each code at most once, and at most `keep` merged and `keep` of a
  // part's.
  std::pair<int32_t, double>* const entries =
      merged.Room(std::min(2 * keep, labels_.size()));
  merged.size = 0;
  for (const LanguageTermIds& part : parts) {
    const int l = LanguageIndex(part.language);
    if (l < 0 || part.ids->empty()) continue;
    // A concept's weight is its score over the best (ConceptsOfRanked),
    // which grows with the score: the codes under the keep-th merged weight
    // are the part's weakest, and leaving them out before the partition
    // leaves the part's best `keep` (Ranked) less those same codes.
    const double min_merged_weight =
        merged.size < keep ? -HUGE_VAL
                           : std::min_element(merged.begin(), merged.end(),
                                              [](const auto& a, const auto& b) {
                                                return a.second < b.second;
                                              })
                                 ->second;
    const double best = MergeCandidatesOfIdsInto(*part.ids, l, min_weight,
                                                 min_merged_weight, &scored);
    if (scored.size == 0 || best <= 0) continue;  // No concepts (TopConcepts).
    if (keep < scored.size) {
      std::nth_element(scored.begin(), scored.begin() + keep, scored.end(),
                       Better());
      scored.size = keep;
    }
    // Each code once, at its largest weight.
    for (const auto& [o, s] : scored) {
      const double w = s / best;
      if (place[o] < 0) {
        place[o] = static_cast<int32_t>(merged.size);
        entries[merged.size++] = {o, w};
      } else {
        double& merged_weight = entries[place[o]].second;
        merged_weight = std::max(merged_weight, w);
      }
    }
    // The strongest `keep` kept, each in its new place.
    if (keep < merged.size) {
      std::nth_element(merged.begin(), merged.begin() + keep, merged.end(),
                       Better());
      for (size_t i = keep; i < merged.size; ++i) place[entries[i].first] = -1;
      merged.size = keep;
      for (size_t i = 0; i < keep; ++i) {
        place[entries[i].first] = static_cast<int32_t>(i);
      }
    }
  }
  std::sort(merged.begin(), merged.end(), Better());
  out.reserve(merged.size);
  for (const auto& [o, w] : merged) {
    place[o] = -1;
    out.push_back({cpv_->CodeAt(o), w});
  }
  return out;
}

absl::StatusOr<std::vector<Concept>> CpvConcepts::Concepts(
    absl::string_view text, absl::string_view language, int max_concepts,
    double min_weight) const {
  absl::StatusOr<int> l = ResolveLanguage(text, language);
  if (!l.ok()) return l.status();
  absl::StatusOr<std::vector<std::string>> terms =
      AnalyzeText(text, kConceptLanguages[*l]);
  if (!terms.ok()) return terms.status();
  return ConceptsOfTerms(*terms, kConceptLanguages[*l], max_concepts,
                         min_weight);
}

absl::StatusOr<std::vector<ConceptEvidence>> CpvConcepts::Evidence(
    absl::string_view text, absl::string_view language, CpvCode code) const {
  absl::StatusOr<int> l = ResolveLanguage(text, language);
  if (!l.ok()) return l.status();
  absl::StatusOr<std::vector<AnalyzedWord>> words =
      AnalyzeWords(text, kConceptLanguages[*l]);
  if (!words.ok()) return words.status();
  return EvidenceOfWords(*words, *l, code);
}

std::vector<ConceptEvidence> CpvConcepts::EvidenceOfAnalyzed(
    const std::vector<AnalyzedWord>& words, absl::string_view language,
    CpvCode code) const {
  return EvidenceOfWords(words, LanguageIndex(language), code);
}

std::vector<std::vector<ConceptEvidence>> CpvConcepts::EvidenceOfAnalyzed(
    const std::vector<AnalyzedWord>& words, absl::string_view language,
    const std::vector<CpvCode>& codes) const {
  return EvidenceOfWords(words, LanguageIndex(language), codes);
}

template <typename Fn>
void CpvConcepts::ForEachLinkedWord(const std::vector<AnalyzedWord>& words,
                                    int l, Fn fn) const {
  const bool stemmed = HasStemmer(kConceptLanguages[l]);
  const LanguageModel& model = Model(l);
  // Views into the words' terms: no string is copied for a word.
  absl::flat_hash_set<absl::string_view> seen;
  for (const AnalyzedWord& w : words) {
    const absl::string_view term = ConceptTermView(w.term, stemmed);
    if (!seen.insert(term).second) continue;
    auto it = model.links.find(term);
    if (it != model.links.end()) fn(w, term, it->second);
  }
}

namespace {

// Strongest first; stable: equal weights in the order found.
void SortByWeight(std::vector<ConceptEvidence>* evidence) {
  std::stable_sort(evidence->begin(), evidence->end(),
                   [](const ConceptEvidence& a, const ConceptEvidence& b) {
                     return a.weight > b.weight;
                   });
}

// The first of a label's words whose concept term is `term`; "" for none.
std::string LabelWordOf(const std::vector<AnalyzedWord>& label_words,
                        absl::string_view term, bool stemmed) {
  for (const AnalyzedWord& lw : label_words) {
    if (ConceptTermView(lw.term, stemmed) == term) return lw.word;
  }
  return "";
}

}  // namespace

std::vector<AnalyzedWord> CpvConcepts::LabelWords(int ordinal, int l) const {
  absl::StatusOr<std::vector<AnalyzedWord>> words =
      AnalyzeWords(labels_[ordinal][ModelIndex(l)], kConceptLanguages[l]);
  return words.ok() ? *std::move(words) : std::vector<AnalyzedWord>();
}

std::vector<ConceptEvidence> CpvConcepts::EvidenceOfWords(
    const std::vector<AnalyzedWord>& words, int l, CpvCode code) const {
  return std::move(EvidenceOfWords(words, l, std::vector<CpvCode>{code})[0]);
}

std::vector<std::vector<ConceptEvidence>> CpvConcepts::EvidenceOfWords(
    const std::vector<AnalyzedWord>& words, int l,
    const std::vector<CpvCode>& codes) const {
  const absl::string_view lang = kConceptLanguages[l];
  const bool stemmed = HasStemmer(lang);
  std::vector<std::vector<ConceptEvidence>> out(codes.size());
  // Each code's ordinal, -1 for an unknown code; its label's words,
  // analysed on first need.
  std::vector<int> ordinal(codes.size());
  bool any = false;
  for (size_t i = 0; i < codes.size(); ++i) {
    ordinal[i] = cpv_->Ordinal(codes[i]);
    any = any || ordinal[i] >= 0;
  }
  if (!any) return out;
  std::vector<std::optional<std::vector<AnalyzedWord>>> label_words(
      codes.size());
  // A term's label links and its notice links are each sorted by code,
  // stably (BuildFlatLinks): a code's are found by binary search, in the
  // order the term's links hold them, not by reading every link of a common
  // word.
  const FlatLinks& flat = Model(l).flat;
  auto links_of = [&flat](uint32_t from, uint32_t to, int o) {
    return std::equal_range(
        flat.links.begin() + from, flat.links.begin() + to, Link{o, 0},
        [](const Link& a, const Link& b) { return a.ordinal < b.ordinal; });
  };
  absl::flat_hash_set<absl::string_view> seen;  // The first word of a term.
  for (const AnalyzedWord& w : words) {
    const absl::string_view term = ConceptTermView(w.term, stemmed);
    if (!seen.insert(term).second) continue;
    auto it = flat.ids.find(term);
    if (it == flat.ids.end()) continue;
    TermSpan span;
    if (!SpanOf(flat, it->second, &span)) continue;
    for (size_t i = 0; i < codes.size(); ++i) {
      if (ordinal[i] < 0) continue;
      const auto label = links_of(span.label, span.notices, ordinal[i]);
      for (auto link = label.first; link != label.second; ++link) {
        if (!label_words[i]) label_words[i] = LabelWords(ordinal[i], l);
        out[i].push_back({w.word, LabelWordOf(*label_words[i], term, stemmed),
                          std::string(lang), ConceptSource::kLabel,
                          link->weight});
      }
      const auto notices = links_of(span.notices, span.end, ordinal[i]);
      for (auto link = notices.first; link != notices.second; ++link) {
        out[i].push_back({w.word, "", std::string(lang),
                          ConceptSource::kNotices, link->weight});
      }
    }
  }
  for (std::vector<ConceptEvidence>& evidence : out) SortByWeight(&evidence);
  return out;
}

std::vector<ConceptEvidence> CpvConcepts::EvidenceByDefinition(
    const std::vector<AnalyzedWord>& words, int l, CpvCode code) const {
  const absl::string_view lang = kConceptLanguages[l];
  const bool stemmed = HasStemmer(lang);
  std::vector<ConceptEvidence> out;
  const int o = cpv_->Ordinal(code);
  if (o < 0) return out;
  const std::vector<AnalyzedWord> label_words = LabelWords(o, l);
  ForEachLinkedWord(
      words, l,
      [&](const AnalyzedWord& w, absl::string_view term,
          const TermLinks& links) {
        for (const Link& link : links.label) {
          if (link.ordinal != o) continue;
          out.push_back({w.word, LabelWordOf(label_words, term, stemmed),
                         std::string(lang), ConceptSource::kLabel,
                         link.weight});
        }
        for (const Link& link : links.notices) {
          if (link.ordinal != o) continue;
          out.push_back({w.word, "", std::string(lang), ConceptSource::kNotices,
                         link.weight});
        }
      });
  SortByWeight(&out);
  return out;
}

std::vector<std::pair<int32_t, double>> CpvConcepts::PooledFeatures(
    const std::vector<Concept>& label_concepts) {
  std::vector<std::pair<int32_t, double>> out;
  for (const Concept& c : label_concepts) {
    const int32_t g = GroupKey(c.code);
    auto it = std::find_if(out.begin(), out.end(),
                           [g](const auto& f) { return f.first == g; });
    if (it == out.end()) out.emplace_back(g, c.weight);  // Strongest first.
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::pair<std::string, double>> CpvConcepts::WeightedTerms(
    const std::vector<AnalyzedWord>& words, absl::string_view text,
    int l) const {
  const absl::string_view lang = kConceptLanguages[l];
  absl::flat_hash_map<std::string, double> weight;
  for (const AnalyzedWord& w : words) weight[ConceptTerm(w.term, lang)] = 1;
  const size_t newline = text.find('\n');
  if (newline != absl::string_view::npos &&
      text.find_first_not_of(" \t\r\n", newline) != absl::string_view::npos) {
    absl::StatusOr<std::vector<std::string>> title =
        AnalyzeText(text.substr(0, newline), lang);
    if (title.ok()) {
      for (const std::string& t : *title) {
        weight[ConceptTerm(t, lang)] = 1 + weights_.title_weight;
      }
    }
  }
  if (weights_.word_specificity > 0 && notice_count_[ModelIndex(l)] > 0) {
    for (auto& [term, w] : weight) {
      w *= std::pow(NoticeSpecificity(ModelIndex(l), term),
                    weights_.word_specificity);
    }
  }
  std::vector<std::pair<std::string, double>> weighted(weight.begin(),
                                                       weight.end());
  std::sort(weighted.begin(), weighted.end());
  return weighted;
}

namespace {

// FNV-1a 32 of a feature's kind and name: the discriminative model's key.
uint32_t FeatureHash(absl::string_view kind, absl::string_view name) {
  uint32_t h = 2166136261u;
  for (absl::string_view part : {kind, absl::string_view("\t"), name}) {
    for (unsigned char c : part) {
      h ^= c;
      h *= 16777619u;
    }
  }
  return h;
}

}  // namespace

uint32_t CpvConcepts::BiasFeature() { return FeatureHash("bias", ""); }

std::vector<std::pair<uint32_t, double>> CpvConcepts::Features(
    const std::vector<std::pair<std::string, double>>& weighted_terms,
    const std::vector<Concept>& label_concepts, int l) const {
  std::vector<std::pair<uint32_t, double>> out;
  // Words, tagged with the language whose links read them (Irish: English).
  const std::string word_kind =
      absl::StrCat("w", kConceptLanguages[ModelIndex(l)]);
  double norm = 0;
  for (const auto& [term, w] : weighted_terms) norm += w * w;
  if (norm > 0) {
    const double scale = 1 / std::sqrt(norm);
    for (const auto& [term, w] : weighted_terms) {
      if (w > 0) out.emplace_back(FeatureHash(word_kind, term), w * scale);
    }
  }
  // Label concepts' groups and classes, each its strongest concept's weight.
  std::vector<std::pair<std::string, double>> concepts;
  auto add = [&](std::string name, double w) {
    for (auto& [n, x] : concepts) {
      if (n == name) {
        x = std::max(x, w);
        return;
      }
    }
    concepts.emplace_back(std::move(name), w);
  };
  for (const Concept& c : label_concepts) {
    const std::string digits = c.code.ToString();
    add(absl::StrCat("g", digits.substr(0, 3)), c.weight);
    add(absl::StrCat("c", digits.substr(0, 4)), c.weight);
  }
  norm = 0;
  for (const auto& [name, w] : concepts) norm += w * w;
  if (norm > 0 && weights_.discriminative_concepts > 0) {
    const double scale = weights_.discriminative_concepts / std::sqrt(norm);
    for (const auto& [name, w] : concepts) {
      out.emplace_back(FeatureHash("concept", name), w * scale);
    }
  }
  out.emplace_back(BiasFeature(), 1.0);
  std::sort(out.begin(), out.end());
  // Two names with one hash (rare) are one feature.
  size_t kept = 0;
  for (size_t i = 0; i < out.size(); ++i) {
    if (kept > 0 && out[kept - 1].first == out[i].first) {
      out[kept - 1].second += out[i].second;
    } else {
      out[kept++] = out[i];
    }
  }
  out.resize(kept);
  return out;
}

std::vector<std::pair<uint32_t, double>> CpvConcepts::SuggestionFeatures(
    absl::string_view text, absl::string_view language) const {
  const int l = LanguageIndex(language);
  if (l < 0) return {};
  absl::StatusOr<std::vector<AnalyzedWord>> words =
      AnalyzeWords(text, language);
  if (!words.ok()) return {};
  std::vector<std::string> terms;
  terms.reserve(words->size());
  for (const AnalyzedWord& w : *words) terms.push_back(w.term);
  return Features(
      WeightedTerms(*words, text, l),
      TopConcepts(terms, l, kMaxConcepts, 0.1, /*labels_only=*/true), l);
}

std::vector<std::pair<int32_t, double>>
CpvConcepts::DiscriminativeLogProbabilities(
    const std::vector<std::pair<uint32_t, double>>& features) const {
  std::vector<std::pair<int32_t, double>> out;
  if (discriminative_.empty()) return out;
  // Logits by group key, summed in the features' (hash) order.
  thread_local std::vector<double> logit;
  thread_local std::vector<char> seen;
  if (logit.size() < 1000) {
    logit.assign(1000, 0.0);
    seen.assign(1000, 0);
  }
  for (const auto& [f, x] : features) {
    auto it = discriminative_.find(f);
    if (it == discriminative_.end()) continue;
    for (const GroupWeight& g : it->second) {
      logit[g.group] += x * g.weight;
      seen[g.group] = 1;
    }
  }
  for (int32_t g = 0; g < 1000; ++g) {
    if (seen[g]) out.emplace_back(g, logit[g]);
    logit[g] = 0;
    seen[g] = 0;
  }
  double top = -HUGE_VAL;
  for (const auto& [g, z] : out) top = std::max(top, z);
  double sum = 0;
  for (const auto& [g, z] : out) sum += std::exp(z - top);
  const double log_sum = top + std::log(sum);
  for (auto& [g, z] : out) z -= log_sum;
  return out;
}

std::vector<Concept> CpvConcepts::LabelConcepts(
    absl::string_view text, absl::string_view language) const {
  const int l = LanguageIndex(language);
  if (l < 0) return {};
  absl::StatusOr<std::vector<std::string>> terms = AnalyzeText(text, language);
  if (!terms.ok()) return {};
  return TopConcepts(*terms, l, kMaxConcepts, 0.1, /*labels_only=*/true);
}

void CpvConcepts::AddPooled(
    const std::vector<std::pair<int32_t, double>>& features, bool divisions,
    ClassScores* scores) const {
  const PooledClasses& pooled = divisions ? pooled_divisions_ : pooled_groups_;
  if (features.empty() || pooled.totals.empty()) return;
  const double s = weights_.smoothing;
  double mass = 0;
  for (const auto& [f, w] : features) mass += w;
  for (auto& [key, score] : *scores) {
    auto total = pooled.totals.find(key);
    double likelihood =
        -mass * std::log((total == pooled.totals.end() ? 0.0 : total->second) +
                         s * pooled_vocabulary_);
    for (const auto& [f, w] : features) {
      double count = 0;
      auto by_feature = pooled.counts.find(f);
      if (by_feature != pooled.counts.end()) {
        auto it = by_feature->second.find(key);
        if (it != by_feature->second.end()) count = it->second;
      }
      likelihood += w * std::log(count + s);
    }
    score += weights_.pooled_concepts * likelihood;
  }
}

std::vector<CpvSuggestion> CpvConcepts::SuggestByClassifier(
    const std::vector<AnalyzedWord>& words, absl::string_view text, int l,
    int top) const {
  const absl::string_view lang = kConceptLanguages[l];
  const std::vector<std::pair<std::string, double>> weighted =
      WeightedTerms(words, text, l);
  std::vector<CpvSuggestion> out;
  ClassScores divisions = Classify(weighted, l, /*divisions=*/true);
  ClassScores groups = Classify(weighted, l, /*divisions=*/false);
  if (groups.empty()) return out;
  // The links rank codes as Concepts does: each group's best code, and its
  // score, which the link bonus adds to the group's and division's.
  std::vector<std::string> terms;
  terms.reserve(words.size());
  for (const AnalyzedWord& w : words) terms.push_back(w.term);
  absl::flat_hash_map<int32_t, std::pair<int32_t, double>> best_code;
  absl::flat_hash_map<int32_t, double> division_link;
  const std::vector<std::pair<int32_t, double>> ranked =
      Ranked(RawScores(terms, l));
  for (const auto& [o, score] : ranked) {
    const int32_t g = GroupKey(cpv_->CodeAt(o));
    best_code.try_emplace(g, o, score);
    division_link.try_emplace(g / 10, score);
  }
  auto better = [](const auto& a, const auto& b) {
    return a.second > b.second || (a.second == b.second && a.first < b.first);
  };
  const bool pooled =
      weights_.pooled_concepts > 0 && !pooled_groups_.totals.empty();
  const bool discriminative =
      weights_.discriminative > 0 && !discriminative_.empty();
  std::vector<Concept> label_concepts;
  if (pooled || discriminative) {
    label_concepts =
        TopConcepts(terms, l, kMaxConcepts, 0.1, /*labels_only=*/true);
  }
  if (pooled) {
    const std::vector<std::pair<int32_t, double>> features =
        PooledFeatures(label_concepts);
    AddPooled(features, /*divisions=*/false, &groups);
    AddPooled(features, /*divisions=*/true, &divisions);
  }
  if (discriminative) {
    // The model's log probabilities of groups, and of divisions (their
    // groups' summed probability); a class it never saw gets its least.
    const std::vector<std::pair<int32_t, double>> log_p =
        DiscriminativeLogProbabilities(Features(weighted, label_concepts, l));
    absl::flat_hash_map<int32_t, double> by_group, by_division;
    double least = 0;
    for (const auto& [g, lp] : log_p) {
      by_group[g] = lp;
      by_division[g / 10] += std::exp(lp);
      least = std::min(least, lp);
    }
    for (auto& [g, score] : groups) {
      auto it = by_group.find(g);
      score +=
          weights_.discriminative * (it == by_group.end() ? least : it->second);
    }
    for (auto& [d, score] : divisions) {
      auto it = by_division.find(d);
      score += weights_.discriminative *
               (it == by_division.end() ? least : std::log(it->second));
    }
  }
  if (pooled || discriminative) {
    std::sort(groups.begin(), groups.end(), better);
    std::sort(divisions.begin(), divisions.end(), better);
  }
  if (weights_.link_bonus > 0 && !ranked.empty() && ranked[0].second > 0) {
    const double scale = weights_.link_bonus / ranked[0].second;
    for (auto& [g, score] : groups) {
      auto it = best_code.find(g);
      if (it != best_code.end()) score += scale * it->second.second;
    }
    for (auto& [d, score] : divisions) {
      auto it = division_link.find(d);
      if (it != division_link.end()) score += scale * it->second;
    }
    std::sort(groups.begin(), groups.end(), better);
    std::sort(divisions.begin(), divisions.end(), better);
  }
  // The division by the whole text's evidence; its best group first.
  const int32_t division =
      divisions.empty() ? groups[0].first / 10 : divisions[0].first;
  for (size_t i = 0; i < groups.size(); ++i) {
    if (groups[i].first / 10 == division) {
      std::rotate(groups.begin(), groups.begin() + i, groups.begin() + i + 1);
      break;
    }
  }
  // Within each group, the code its links rank first, else the group's own
  // code. Scores: the groups' posterior probabilities among those listed.
  const double best = groups[0].second;
  double sum = 0;
  for (const auto& [g, score] : groups) sum += std::exp(score - best);
  for (const auto& [g, score] : groups) {
    if (static_cast<int>(out.size()) >= top) break;
    auto it = best_code.find(g);
    int32_t o = it != best_code.end()
                    ? it->second.first
                    : cpv_->Ordinal(CpvCode::FromDigits(g * 100000));
    if (o < 0) continue;
    CpvSuggestion& s = out.emplace_back();
    s.code = cpv_->CodeAt(o);
    s.score = std::exp(score - best) / sum;
    s.language = std::string(lang);
    s.label = std::string(labels_[o][l]);
    s.label_en = std::string(cpv_->Label(s.code));
    s.evidence = EvidenceOfWords(words, l, s.code);
    if (s.evidence.empty()) s.evidence = GroupEvidence(words, l, g);
  }
  return out;
}

std::vector<ConceptEvidence> CpvConcepts::GroupEvidence(
    const std::vector<AnalyzedWord>& words, int l, int32_t group) const {
  const absl::string_view lang = kConceptLanguages[l];
  std::vector<ConceptEvidence> out;
  ForEachLinkedWord(
      words, l,
      [&](const AnalyzedWord& w, absl::string_view, const TermLinks& links) {
        for (const ClassGain& g : links.groups) {
          if (g.key != group) continue;
          out.push_back(
              {w.word, "", std::string(lang), ConceptSource::kNotices, g.gain});
        }
      });
  SortByWeight(&out);
  return out;
}

absl::StatusOr<std::vector<CpvSuggestion>> CpvConcepts::Suggest(
    absl::string_view text, absl::string_view language, int top) const {
  absl::StatusOr<int> l = ResolveLanguage(text, language);
  if (!l.ok()) return l.status();
  const absl::string_view lang = kConceptLanguages[*l];
  absl::StatusOr<std::vector<AnalyzedWord>> words = AnalyzeWords(text, lang);
  if (!words.ok()) return words.status();
  if (weights_.classifier) {
    return SuggestByClassifier(*words, text, *l, top);
  }
  std::vector<std::string> terms;
  terms.reserve(words->size());
  for (const AnalyzedWord& w : *words) terms.push_back(w.term);
  const std::vector<std::pair<int32_t, double>> ranked =
      Ranked(RawScores(terms, *l));
  // One code per group first, so that five suggestions span five families
  // of codes when the text allows; then the rest in order.
  std::vector<std::pair<int32_t, double>> picked;
  std::vector<char> taken(ranked.size(), 0);
  absl::flat_hash_set<uint32_t> groups;
  for (size_t i = 0; i < ranked.size() && static_cast<int>(picked.size()) < top;
       ++i) {
    if (groups.insert(cpv_->CodeAt(ranked[i].first).Truncated(3).digits())
            .second) {
      picked.push_back(ranked[i]);
      taken[i] = 1;
    }
  }
  for (size_t i = 0; i < ranked.size() && static_cast<int>(picked.size()) < top;
       ++i) {
    if (!taken[i]) picked.push_back(ranked[i]);
  }
  std::vector<CpvSuggestion> out;
  for (const auto& [o, score] : picked) {
    CpvSuggestion& s = out.emplace_back();
    s.code = cpv_->CodeAt(o);
    s.score = score;
    s.language = std::string(lang);
    s.label = std::string(labels_[o][*l]);
    s.label_en = std::string(cpv_->Label(s.code));
    s.evidence = EvidenceOfWords(*words, *l, s.code);
  }
  return out;
}

absl::StatusOr<std::vector<CpvSuggestion>> SuggestCpv(
    absl::string_view text, absl::string_view language, int top) {
  return CpvConcepts::Builtin().Suggest(text, language, top);
}

}  // namespace procmatch
