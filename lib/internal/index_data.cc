// Analysis of supplier profiles and assembly of an index's postings.
#include "procmatch/internal/index_data.h"

#include <algorithm>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "procmatch/certification.h"
#include "procmatch/dates.h"
#include "procmatch/text_analyzer.h"
#include "procmatch/validation.h"

namespace procmatch {
namespace internal {
namespace {

absl::CivilDay DayOr(const v1::Date& date, bool set, absl::CivilDay fallback) {
  return set ? ToCivilDay(date) : fallback;
}

// Parses every code; the first that does not parse is an error naming the
// supplier and the field.
absl::Status ParseCodes(
    const CpvTaxonomy& cpv,
    const google::protobuf::RepeatedPtrField<std::string>& codes,
    absl::string_view supplier, absl::string_view field,
    std::vector<CpvCode>* out) {
  for (int i = 0; i < codes.size(); ++i) {
    absl::StatusOr<CpvCode> code = cpv.Parse(codes[i]);
    if (!code.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("supplier \"", supplier, "\": ", field, "[", i,
                       "]: ", code.status().message()));
    }
    out->push_back(*code);
  }
  return absl::OkStatus();
}

void SortUnique(std::vector<CpvCode>* codes) {
  std::sort(codes->begin(), codes->end());
  codes->erase(std::unique(codes->begin(), codes->end()), codes->end());
}

// Analyses `text` (language given or guessed) into `counts`; nothing when
// `counts` is null (terms restored from a snapshot).
absl::Status AddText(absl::string_view text, absl::string_view language,
                     absl::flat_hash_map<std::string, uint32_t>* counts) {
  if (text.empty() || counts == nullptr) return absl::OkStatus();
  const std::string lang =
      language.empty() ? GuessLanguage(text) : std::string(language);
  absl::StatusOr<std::vector<std::string>> terms = AnalyzeText(text, lang);
  if (!terms.ok()) return terms.status();
  for (std::string& t : *terms) ++(*counts)[std::move(t)];
  return absl::OkStatus();
}

const std::vector<uint32_t>& EmptyDocs() {
  static const auto* empty = new std::vector<uint32_t>();
  return *empty;
}

}  // namespace

const std::string& FoldedKeywordText::Get(
    const v1::SupplierProfile& profile) const {
  std::call_once(once_, [&] { text_ = FoldText(KeywordText(profile)); });
  return text_;
}

std::string KeywordText(const v1::SupplierProfile& p) {
  std::vector<absl::string_view> parts = {p.name(), p.description()};
  for (const auto& c : p.capabilities()) {
    parts.push_back(c.description());
    for (const auto& t : c.tags()) parts.push_back(t);
  }
  for (const auto& c : p.certifications()) parts.push_back(c.scheme());
  for (const auto& c : p.past_contracts()) {
    parts.push_back(c.title());
    parts.push_back(c.description());
  }
  return absl::StrJoin(parts, "\n");
}

absl::StatusOr<std::shared_ptr<const SupplierDoc>> AnalyzeSupplier(
    v1::SupplierProfile profile, const Options& options,
    absl::flat_hash_map<std::string, uint32_t>* vocabulary,
    const TermCounts* restored_terms) {
  const CpvTaxonomy& cpv = CpvOf(options);
  auto doc = std::make_shared<SupplierDoc>();
  const v1::SupplierProfile& p = profile;
  const std::string& id = p.id();
  doc->country = p.country();
  doc->executive_country = p.executive_management_country();
  doc->third_country_control = p.third_country_control();
  doc->entity_type = p.entity_type();
  for (const v1::FacilityClearance& fc : p.facility_clearances()) {
    doc->facility_clearances.push_back(
        {fc.level(),
         DayOr(fc.valid_until(), fc.has_valid_until(), NoExpiry())});
  }
  for (const v1::ClearedStaff& cs : p.cleared_staff()) {
    doc->cleared_staff.emplace_back(cs.level(), cs.count());
  }
  for (const v1::Certification& c : p.certifications()) {
    doc->certificates.push_back(
        {NormalizeScheme(c.scheme()), c.scheme(),
         DayOr(c.valid_until(), c.has_valid_until(), NoExpiry())});
  }
  int latest_year = -1;
  for (const v1::AnnualTurnover& t : p.turnover()) {
    if (t.year() > latest_year) {
      latest_year = t.year();
      doc->has_turnover = true;
      doc->turnover = t.amount().amount();
      doc->turnover_currency = t.amount().currency();
    }
  }
  doc->employees = p.employees();
  doc->languages.assign(p.languages().begin(), p.languages().end());
  // A supplier without a region is located in its country (level 0); one
  // with neither has no location, which proximity rules then say.
  const NutsTaxonomy& nuts = NutsOf(options);
  if (!p.nuts_code().empty()) {
    absl::StatusOr<NutsCode> location = nuts.Parse(p.nuts_code());
    if (!location.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "supplier \"", id, "\": nuts_code: ", location.status().message()));
    }
    doc->location = *location;
  } else if (!p.country().empty()) {
    absl::StatusOr<NutsCode> location =
        nuts.Parse(NutsCountryOfIso(p.country()));
    if (location.ok()) doc->location = *location;
  }

  absl::flat_hash_map<std::string, uint32_t> term_counts;
  absl::flat_hash_map<std::string, uint32_t>* counts =
      restored_terms == nullptr ? &term_counts : nullptr;
  absl::Status s = AddText(p.name(), "", counts);
  if (s.ok()) s = AddText(p.description(), p.description_language(), counts);
  if (s.ok())
    s = ParseCodes(cpv, p.cpv_codes(), id, "cpv_codes", &doc->offered_cpv);
  std::vector<std::string> tags;
  for (int i = 0; s.ok() && i < p.capabilities_size(); ++i) {
    const v1::Capability& cap = p.capabilities(i);
    std::vector<CpvCode> codes;
    s = ParseCodes(cpv, cap.cpv_codes(), id,
                   absl::StrCat("capabilities[", i, "].cpv_codes"), &codes);
    if (!s.ok()) break;
    doc->offered_cpv.insert(doc->offered_cpv.end(), codes.begin(), codes.end());
    if (cap.technology_readiness() > 0) {
      doc->capability_levels.push_back({codes, cap.technology_readiness()});
    }
    for (const std::string& tag : cap.tags()) tags.push_back(FoldText(tag));
    s = AddText(cap.description(), cap.language(), counts);
  }
  for (int i = 0; s.ok() && i < p.past_contracts_size(); ++i) {
    const v1::PastContract& pc = p.past_contracts(i);
    ContractRecord record;
    s = ParseCodes(cpv, pc.cpv_codes(), id,
                   absl::StrCat("past_contracts[", i, "].cpv_codes"),
                   &record.cpv);
    if (!s.ok()) break;
    for (CpvCode c : record.cpv) record.cpv_bcd.push_back(c.bcd());
    record.has_date = pc.has_award_date();
    if (record.has_date) record.date = ToCivilDay(pc.award_date());
    record.buyer_key = FoldText(pc.buyer_name());
    record.buyer_country = pc.buyer_country();
    record.buyer_name = pc.buyer_name();
    record.activity_key =
        BuyerActivityKey(pc.buyer_country(), pc.buyer_activity());
    if (pc.has_value() && pc.value().amount() > 0) {
      record.value = pc.value().amount();
      record.value_currency = pc.value().currency();
    }
    doc->contracts.push_back(std::move(record));
    s = AddText(pc.title(), pc.language(), counts);
    if (s.ok()) s = AddText(pc.description(), pc.language(), counts);
  }
  if (!s.ok()) {
    if (absl::StartsWith(s.message(), "supplier \"")) return s;
    return absl::InvalidArgumentError(
        absl::StrCat("supplier \"", id, "\": ", s.message()));
  }
  SortUnique(&doc->offered_cpv);
  for (CpvCode c : doc->offered_cpv) doc->offered_bcd.push_back(c.bcd());
  std::sort(tags.begin(), tags.end());
  tags.erase(std::unique(tags.begin(), tags.end()), tags.end());
  doc->tags = std::move(tags);
  if (restored_terms != nullptr) {
    doc->terms = *restored_terms;
  } else {
    for (auto& [term, count] : term_counts) {
      auto [it, inserted] = vocabulary->try_emplace(
          term, static_cast<uint32_t>(vocabulary->size()));
      doc->terms.emplace_back(it->second, count);
    }
  }
  for (const auto& [term, count] : doc->terms) doc->length += count;
  std::sort(doc->terms.begin(), doc->terms.end());
  doc->profile =
      std::make_shared<const v1::SupplierProfile>(std::move(profile));
  return std::shared_ptr<const SupplierDoc>(std::move(doc));
}

absl::StatusOr<std::shared_ptr<const SupplierIndex>> IndexAccess::Assemble(
    std::vector<std::shared_ptr<const SupplierDoc>> docs,
    absl::flat_hash_map<std::string, uint32_t> vocabulary, uint64_t generation,
    const Options& options) {
  auto data = std::make_unique<IndexData>();
  IndexData& x = *data;
  x.options_ = options;
  x.generation_ = generation;
  std::sort(docs.begin(), docs.end(),
            [](const std::shared_ptr<const SupplierDoc>& a,
               const std::shared_ptr<const SupplierDoc>& b) {
              return a->profile->id() < b->profile->id();
            });
  x.docs_ = std::move(docs);
  x.vocabulary_ = std::move(vocabulary);
  x.term_postings_.resize(x.vocabulary_.size());
  uint64_t total_length = 0;
  for (uint32_t d = 0; d < x.docs_.size(); ++d) {
    const SupplierDoc& doc = *x.docs_[d];
    if (!x.doc_of_id_.emplace(doc.profile->id(), static_cast<int>(d)).second) {
      return absl::AlreadyExistsError(absl::StrCat(
          "supplier \"", doc.profile->id(), "\": id: appears twice"));
    }
    // A code posts under itself and each of its ancestors, so that any
    // level of a tender's code reaches it. Docs arrive in order, so each
    // list stays sorted; a doc is posted once per code.
    auto post = [&](CpvCode code) {
      for (int depth = code.depth(); depth >= 2; --depth) {
        std::vector<uint32_t>& list = x.cpv_postings_[code.Truncated(depth)];
        if (list.empty() || list.back() != d) list.push_back(d);
      }
    };
    for (CpvCode c : doc.offered_cpv) post(c);
    for (const ContractRecord& r : doc.contracts) {
      for (CpvCode c : r.cpv) post(c);
    }
    for (const auto& [term, tf] : doc.terms) {
      x.term_postings_[term].emplace_back(d, tf);
    }
    auto post_buyer = [&](const std::string& key) {
      if (key.empty()) return;
      std::vector<uint32_t>& list = x.buyer_postings_[key];
      if (list.empty() || list.back() != d) list.push_back(d);
    };
    for (const ContractRecord& r : doc.contracts) {
      post_buyer(BuyerPostingKey(r.buyer_key));
      post_buyer(r.activity_key);
    }
    for (const std::string& tag : doc.tags) x.tag_postings_[tag].push_back(d);
    for (const Certificate& c : doc.certificates) {
      std::vector<uint32_t>& list = x.certification_postings_[c.scheme_key];
      if (list.empty() || list.back() != d) list.push_back(d);
    }
    total_length += doc.length;
  }
  x.average_length_ =
      x.docs_.empty() ? 0 : static_cast<double>(total_length) / x.docs_.size();
  return std::shared_ptr<const SupplierIndex>(
      new SupplierIndex(std::move(data)));
}

absl::StatusOr<std::shared_ptr<const SupplierIndex>> RestoreIndex(
    std::vector<std::string> vocabulary,
    std::vector<std::pair<v1::SupplierProfile, TermCounts>> suppliers,
    uint64_t generation, const Options& options) {
  absl::flat_hash_map<std::string, uint32_t> ids;
  ids.reserve(vocabulary.size());
  for (size_t i = 0; i < vocabulary.size(); ++i) {
    if (!ids.emplace(std::move(vocabulary[i]), static_cast<uint32_t>(i))
             .second) {
      return absl::DataLossError(
          absl::StrCat("vocabulary: term ", i, " is a duplicate"));
    }
  }
  const Validator validator(options);
  absl::flat_hash_set<std::string> seen;
  std::vector<std::shared_ptr<const SupplierDoc>> docs;
  docs.reserve(suppliers.size());
  for (auto& [profile, terms] : suppliers) {
    if (!seen.insert(profile.id()).second) {
      return absl::DataLossError(
          absl::StrCat("supplier \"", profile.id(), "\" appears twice"));
    }
    absl::Status valid = validator.ValidateSupplier(profile);
    if (!valid.ok()) {
      return absl::DataLossError(
          absl::StrCat("invalid profile: ", valid.message()));
    }
    uint32_t previous = 0;
    for (size_t i = 0; i < terms.size(); ++i) {
      const auto& [term, count] = terms[i];
      if (term >= ids.size() || count == 0 || (i > 0 && term <= previous)) {
        return absl::DataLossError(
            absl::StrCat("supplier \"", profile.id(), "\": term id ", term,
                         " outside the vocabulary of ", ids.size(),
                         ", repeated, out of order or with frequency 0"));
      }
      previous = term;
    }
    absl::StatusOr<std::shared_ptr<const SupplierDoc>> doc =
        AnalyzeSupplier(std::move(profile), options, &ids, &terms);
    if (!doc.ok()) return absl::DataLossError(doc.status().message());
    docs.push_back(*std::move(doc));
  }
  return IndexAccess::Assemble(std::move(docs), std::move(ids), generation,
                               options);
}

int IndexData::FindDoc(absl::string_view id) const {
  auto it = doc_of_id_.find(id);
  return it == doc_of_id_.end() ? -1 : it->second;
}

const std::vector<uint32_t>& IndexData::CpvPostings(CpvCode code) const {
  auto it = cpv_postings_.find(code);
  return it == cpv_postings_.end() ? EmptyDocs() : it->second;
}

int64_t IndexData::TermId(absl::string_view term) const {
  auto it = vocabulary_.find(term);
  return it == vocabulary_.end() ? int64_t{-1}
                                 : static_cast<int64_t>(it->second);
}

const std::vector<uint32_t>& IndexData::CertificationPostings(
    absl::string_view scheme_key) const {
  auto it = certification_postings_.find(scheme_key);
  return it == certification_postings_.end() ? EmptyDocs() : it->second;
}

const std::vector<uint32_t>& IndexData::TagPostings(
    absl::string_view tag) const {
  auto it = tag_postings_.find(tag);
  return it == tag_postings_.end() ? EmptyDocs() : it->second;
}

const std::vector<uint32_t>& IndexData::BuyerPostings(
    absl::string_view key) const {
  auto it = buyer_postings_.find(key);
  return it == buyer_postings_.end() ? EmptyDocs() : it->second;
}

std::string BuyerPostingKey(const std::string& buyer_key) {
  return buyer_key.empty() ? std::string() : absl::StrCat("buyer:", buyer_key);
}

std::string BuyerActivityKey(const std::string& country,
                             const std::string& activity) {
  if (country.empty() || activity.empty()) return "";
  return absl::StrCat(country, "/", FoldText(activity));
}

std::vector<absl::string_view> IndexData::Vocabulary() const {
  std::vector<absl::string_view> terms(vocabulary_.size());
  for (const auto& [term, id] : vocabulary_) terms[id] = term;
  return terms;
}

}  // namespace internal
}  // namespace procmatch
