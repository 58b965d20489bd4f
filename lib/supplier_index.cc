#include "procmatch/supplier_index.h"

#include <algorithm>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "procmatch/certification.h"
#include "procmatch/dates.h"
#include "procmatch/text_analyzer.h"

namespace procmatch {
namespace {

using internal::SupplierDoc;

absl::CivilDay DayOr(const v1::Date& date, bool set, absl::CivilDay fallback) {
  return set ? ToCivilDay(date) : fallback;
}

std::vector<CpvCode> ParseCodes(
    const google::protobuf::RepeatedPtrField<std::string>& codes) {
  std::vector<CpvCode> out;
  for (const std::string& c : codes) {
    // Profiles are validated before analysis: every code parses.
    absl::StatusOr<CpvCode> code = CpvTaxonomy::Builtin().Parse(c);
    if (code.ok()) out.push_back(*code);
  }
  return out;
}

void SortUnique(std::vector<CpvCode>* codes) {
  std::sort(codes->begin(), codes->end());
  codes->erase(std::unique(codes->begin(), codes->end()), codes->end());
}

// Analyses `text` (language given or guessed) into `counts`; nothing when
// `counts` is null (terms restored from a snapshot).
void AddText(absl::string_view text, absl::string_view language,
             absl::flat_hash_map<std::string, uint32_t>* counts) {
  if (text.empty() || counts == nullptr) return;
  const std::string lang =
      language.empty() ? GuessLanguage(text) : std::string(language);
  absl::StatusOr<std::vector<std::string>> terms = AnalyzeText(text, lang);
  if (!terms.ok()) return;  // Validated profiles are valid UTF-8.
  for (std::string& t : *terms) ++(*counts)[std::move(t)];
}

// Analyses a validated profile. Its terms are analysed from its text and
// added to `vocabulary`, unless `restored_terms` (term id, frequency) are
// given, as a snapshot stores them.
std::shared_ptr<const SupplierDoc> Analyze(
    v1::SupplierProfile profile,
    absl::flat_hash_map<std::string, uint32_t>* vocabulary,
    const std::vector<std::pair<uint32_t, uint32_t>>* restored_terms =
        nullptr) {
  auto doc = std::make_shared<SupplierDoc>();
  const v1::SupplierProfile& p = profile;
  doc->country = p.country();
  doc->executive_country = p.executive_management_country();
  doc->third_country_control = p.third_country_control();
  doc->entity_type = p.entity_type();
  for (const v1::FacilityClearance& fc : p.facility_clearances()) {
    doc->facility_clearances.push_back(
        {fc.level(),
         DayOr(fc.valid_until(), fc.has_valid_until(), internal::NoExpiry())});
  }
  for (const v1::ClearedStaff& cs : p.cleared_staff()) {
    doc->cleared_staff.emplace_back(cs.level(), cs.count());
  }
  for (const v1::Certification& c : p.certifications()) {
    doc->certificates.push_back(
        {NormalizeScheme(c.scheme()), c.scheme(),
         DayOr(c.valid_until(), c.has_valid_until(), internal::NoExpiry())});
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
  const NutsTaxonomy& nuts = NutsTaxonomy::Builtin();
  absl::StatusOr<NutsCode> location =
      p.nuts_code().empty() ? nuts.Parse(NutsCountryOfIso(p.country()))
                            : nuts.Parse(p.nuts_code());
  if (location.ok()) doc->location = *location;

  absl::flat_hash_map<std::string, uint32_t> term_counts;
  absl::flat_hash_map<std::string, uint32_t>* counts =
      restored_terms == nullptr ? &term_counts : nullptr;
  AddText(p.name(), "", counts);
  AddText(p.description(), p.description_language(), counts);
  doc->offered_cpv = ParseCodes(p.cpv_codes());
  std::vector<std::string> tags;
  for (const v1::Capability& cap : p.capabilities()) {
    std::vector<CpvCode> codes = ParseCodes(cap.cpv_codes());
    doc->offered_cpv.insert(doc->offered_cpv.end(), codes.begin(), codes.end());
    if (cap.technology_readiness() > 0) {
      doc->capability_levels.push_back({codes, cap.technology_readiness()});
    }
    for (const std::string& tag : cap.tags()) tags.push_back(FoldText(tag));
    AddText(cap.description(), cap.language(), counts);
  }
  SortUnique(&doc->offered_cpv);
  for (CpvCode c : doc->offered_cpv) doc->offered_bcd.push_back(c.bcd());
  std::sort(tags.begin(), tags.end());
  tags.erase(std::unique(tags.begin(), tags.end()), tags.end());
  doc->tags = std::move(tags);
  for (const v1::PastContract& pc : p.past_contracts()) {
    internal::ContractRecord record;
    record.cpv = ParseCodes(pc.cpv_codes());
    for (CpvCode c : record.cpv) record.cpv_bcd.push_back(c.bcd());
    record.has_date = pc.has_award_date();
    if (record.has_date) record.date = ToCivilDay(pc.award_date());
    record.buyer_key = FoldText(pc.buyer_name());
    record.buyer_country = pc.buyer_country();
    doc->contracts.push_back(std::move(record));
    AddText(pc.title(), pc.language(), counts);
    AddText(pc.description(), pc.language(), counts);
  }
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
  return doc;
}

const std::vector<uint32_t>& EmptyDocs() {
  static const auto* empty = new std::vector<uint32_t>();
  return *empty;
}

}  // namespace

SupplierIndex::Builder::Builder() = default;

absl::Status SupplierIndex::Builder::Add(v1::SupplierProfile profile) {
  absl::Status valid = validator_.ValidateSupplier(profile);
  if (!valid.ok()) return valid;
  if (ids_.contains(profile.id())) {
    return absl::AlreadyExistsError(
        absl::StrCat("supplier \"", profile.id(), "\": id: added twice"));
  }
  ids_.emplace(profile.id(), size());
  docs_.push_back(Analyze(std::move(profile), &vocabulary_));
  return absl::OkStatus();
}

absl::StatusOr<std::shared_ptr<const SupplierIndex>>
SupplierIndex::Builder::Build() && {
  return Assemble(std::move(docs_), std::move(vocabulary_), 1);
}

absl::StatusOr<std::shared_ptr<const SupplierIndex>> SupplierIndex::Assemble(
    std::vector<std::shared_ptr<const SupplierDoc>> docs,
    absl::flat_hash_map<std::string, uint32_t> vocabulary,
    uint64_t generation) {
  std::shared_ptr<SupplierIndex> index(new SupplierIndex());
  index->generation_ = generation;
  std::sort(docs.begin(), docs.end(),
            [](const std::shared_ptr<const SupplierDoc>& a,
               const std::shared_ptr<const SupplierDoc>& b) {
              return a->profile->id() < b->profile->id();
            });
  index->docs_ = std::move(docs);
  index->vocabulary_ = std::move(vocabulary);
  index->term_postings_.resize(index->vocabulary_.size());
  uint64_t total_length = 0;
  for (uint32_t d = 0; d < index->docs_.size(); ++d) {
    const SupplierDoc& doc = *index->docs_[d];
    index->doc_of_id_.emplace(doc.profile->id(), static_cast<int>(d));
    // A code posts under itself and each of its ancestors, so that any
    // level of a tender's code reaches it. Docs arrive in order, so each
    // list stays sorted; a doc is posted once per code.
    auto post = [&](CpvCode code) {
      for (int depth = code.depth(); depth >= 2; --depth) {
        std::vector<uint32_t>& list =
            index->cpv_postings_[code.Truncated(depth)];
        if (list.empty() || list.back() != d) list.push_back(d);
      }
    };
    for (CpvCode c : doc.offered_cpv) post(c);
    for (const internal::ContractRecord& r : doc.contracts) {
      for (CpvCode c : r.cpv) post(c);
    }
    for (const auto& [term, tf] : doc.terms) {
      index->term_postings_[term].emplace_back(d, tf);
    }
    for (const std::string& tag : doc.tags) {
      index->tag_postings_[tag].push_back(d);
    }
    for (const internal::Certificate& c : doc.certificates) {
      std::vector<uint32_t>& list =
          index->certification_postings_[c.scheme_key];
      if (list.empty() || list.back() != d) list.push_back(d);
    }
    total_length += doc.length;
  }
  index->average_length_ =
      index->docs_.empty()
          ? 0
          : static_cast<double>(total_length) / index->docs_.size();
  return std::shared_ptr<const SupplierIndex>(std::move(index));
}

absl::StatusOr<std::shared_ptr<const SupplierIndex>> SupplierIndex::ApplyUpdate(
    const v1::SupplierUpdate& update) const {
  Validator validator;
  absl::Status valid = validator.ValidateSupplierUpdate(update);
  if (!valid.ok()) return valid;
  for (const std::string& id : update.removed_ids()) {
    if (!doc_of_id_.contains(id)) {
      return absl::NotFoundError(
          absl::StrCat("supplier update: removed_ids: no supplier \"", id,
                       "\" in the index"));
    }
  }
  absl::flat_hash_map<std::string, const v1::SupplierProfile*> replaced;
  for (const v1::SupplierProfile& p : update.upserts()) replaced[p.id()] = &p;
  for (const std::string& id : update.removed_ids()) replaced[id] = nullptr;

  absl::flat_hash_map<std::string, uint32_t> vocabulary = vocabulary_;
  std::vector<std::shared_ptr<const SupplierDoc>> docs;
  docs.reserve(docs_.size() + update.upserts_size());
  for (const auto& doc : docs_) {
    if (!replaced.contains(doc->profile->id())) docs.push_back(doc);
  }
  for (const v1::SupplierProfile& p : update.upserts()) {
    docs.push_back(Analyze(p, &vocabulary));
  }
  return Assemble(std::move(docs), std::move(vocabulary), generation_ + 1);
}

std::vector<absl::string_view> SupplierIndex::Vocabulary() const {
  std::vector<absl::string_view> terms(vocabulary_.size());
  for (const auto& [term, id] : vocabulary_) terms[id] = term;
  return terms;
}

absl::StatusOr<std::shared_ptr<const SupplierIndex>> SupplierIndex::Restore(
    std::vector<std::string> vocabulary,
    std::vector<std::pair<v1::SupplierProfile,
                          std::vector<std::pair<uint32_t, uint32_t>>>>
        suppliers,
    uint64_t generation) {
  absl::flat_hash_map<std::string, uint32_t> ids;
  ids.reserve(vocabulary.size());
  for (size_t i = 0; i < vocabulary.size(); ++i) {
    if (!ids.emplace(std::move(vocabulary[i]), static_cast<uint32_t>(i))
             .second) {
      return absl::DataLossError(
          absl::StrCat("vocabulary: term ", i, " is a duplicate"));
    }
  }
  absl::flat_hash_set<std::string> seen;
  std::vector<std::shared_ptr<const SupplierDoc>> docs;
  docs.reserve(suppliers.size());
  for (auto& [profile, terms] : suppliers) {
    if (!seen.insert(profile.id()).second) {
      return absl::DataLossError(
          absl::StrCat("supplier \"", profile.id(), "\" appears twice"));
    }
    for (const auto& [term, count] : terms) {
      if (term >= ids.size() || count == 0) {
        return absl::DataLossError(absl::StrCat(
            "supplier \"", profile.id(), "\": term id ", term,
            " outside the vocabulary of ", ids.size(), " or frequency 0"));
      }
    }
    docs.push_back(Analyze(std::move(profile), &ids, &terms));
  }
  return Assemble(std::move(docs), std::move(ids), generation);
}

int SupplierIndex::FindDoc(absl::string_view id) const {
  auto it = doc_of_id_.find(id);
  return it == doc_of_id_.end() ? -1 : it->second;
}

const std::vector<uint32_t>& SupplierIndex::CpvPostings(CpvCode code) const {
  auto it = cpv_postings_.find(code);
  return it == cpv_postings_.end() ? EmptyDocs() : it->second;
}

int64_t SupplierIndex::TermId(absl::string_view term) const {
  auto it = vocabulary_.find(term);
  return it == vocabulary_.end() ? int64_t{-1}
                                 : static_cast<int64_t>(it->second);
}

const std::vector<uint32_t>& SupplierIndex::CertificationPostings(
    absl::string_view scheme_key) const {
  auto it = certification_postings_.find(scheme_key);
  return it == certification_postings_.end() ? EmptyDocs() : it->second;
}

const std::vector<uint32_t>& SupplierIndex::TagPostings(
    absl::string_view tag) const {
  auto it = tag_postings_.find(tag);
  return it == tag_postings_.end() ? EmptyDocs() : it->second;
}

}  // namespace procmatch
