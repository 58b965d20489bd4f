// Analysis of supplier profiles and assembly of an index's postings.
#include "procmatch/internal/index_data.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <iterator>
#include <limits>
#include <mutex>
#include <thread>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/arena.h"
#include "procmatch/certification.h"
#include "procmatch/cpv_concepts.h"
#include "procmatch/dates.h"
#include "procmatch/internal/evidence.h"
#include "procmatch/internal/field_checker.h"
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
    absl::string_view supplier, const FieldPath& field,
    std::vector<CpvCode>* out) {
  for (int i = 0; i < codes.size(); ++i) {
    absl::StatusOr<CpvCode> code = cpv.Parse(codes[i]);
    if (!code.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "supplier \"", supplier, "\": ", field.Element(i).ToString(), ": ",
          code.status().message()));
    }
    out->push_back(*code);
  }
  return absl::OkStatus();
}

// The CPV codes of one profile's lists, list after list: parsed, or taken
// from the codes validation parsed (ValidateParsedSupplier's order, which
// is the order AnalyzeProfile asks in).
class CpvCodeSource {
 public:
  CpvCodeSource(const CpvTaxonomy& cpv, const std::vector<CpvCode>* parsed,
                absl::string_view supplier)
      : cpv_(cpv), parsed_(parsed), supplier_(supplier) {}

  // Appends the codes of the next list, `codes` of `field`, to `out`.
  absl::Status Append(
      const google::protobuf::RepeatedPtrField<std::string>& codes,
      const FieldPath& field, std::vector<CpvCode>* out) {
    if (parsed_ == nullptr) {
      return ParseCodes(cpv_, codes, supplier_, field, out);
    }
    const size_t n = static_cast<size_t>(codes.size());
    if (parsed_->size() - next_ < n) {
      return absl::InternalError(
          absl::StrCat("supplier \"", supplier_, "\": ", field.ToString(),
                       ": fewer CPV codes parsed than the profile has"));
    }
    out->insert(out->end(), parsed_->begin() + next_,
                parsed_->begin() + next_ + n);
    next_ += n;
    return absl::OkStatus();
  }

 private:
  const CpvTaxonomy& cpv_;
  const std::vector<CpvCode>* parsed_;  // Null: parse.
  size_t next_ = 0;                     // The first code not taken.
  absl::string_view supplier_;
};

// `code` into `out`, or an error naming the supplier and the field when it
// is longer than an ISO code (validation should have refused it).
absl::Status SetIsoCode(absl::string_view code, absl::string_view supplier,
                        const FieldPath& field, IsoCode* out) {
  if (code.size() > IsoCode::kMaxSize) {
    return absl::InvalidArgumentError(
        absl::StrCat("supplier \"", supplier, "\": ", field.ToString(), ": \"",
                     code, "\" is not an ISO code"));
  }
  *out = IsoCode(code);
  return absl::OkStatus();
}

template <typename T>
void SortUnique(std::vector<T>* values) {
  std::sort(values->begin(), values->end());
  values->erase(std::unique(values->begin(), values->end()), values->end());
}

// Term ids (CpvConcepts::TermIds) of one language, for the concept layer.
using TermIdsByLanguage =
    absl::flat_hash_map<std::string, std::vector<int32_t>>;

// Analyses `text` (language given or guessed) into `counts` (unless null:
// terms restored from a snapshot) and, in a concept language, its terms'
// concept ids into `by_language` (unless null).
absl::Status AddText(absl::string_view text, absl::string_view language,
                     absl::flat_hash_map<std::string, uint32_t>* counts,
                     TermIdsByLanguage* by_language = nullptr) {
  if (text.empty() || (counts == nullptr && by_language == nullptr)) {
    return absl::OkStatus();
  }
  const std::string lang =
      language.empty() ? GuessLanguage(text) : std::string(language);
  std::vector<std::string> terms;
  if (by_language != nullptr && CpvConcepts::IsConceptLanguage(lang)) {
    TermVocabulary ids = CpvConcepts::Builtin().TermIds(lang);
    ids.with_terms = counts != nullptr;
    absl::StatusOr<TermsAndIds> analysed = AnalyzeTextWithIds(text, lang, ids);
    if (!analysed.ok()) return analysed.status();
    std::vector<int32_t>& bucket = (*by_language)[lang];
    bucket.insert(bucket.end(), analysed->ids.begin(), analysed->ids.end());
    terms = std::move(analysed->terms);
  } else {
    absl::StatusOr<std::vector<std::string>> analysed = AnalyzeText(text, lang);
    if (!analysed.ok()) return analysed.status();
    terms = std::move(*analysed);
  }
  if (counts != nullptr) {
    for (const std::string& t : terms) ++(*counts)[t];
  }
  return absl::OkStatus();
}

// The strongest concepts over the languages of a profile's texts, each at
// its largest weight (the strongest has 1): one call for all the languages
// (CpvConcepts::MergedConceptsOfTermIds), which ranks no code the merge
// would drop.
std::vector<SupplierDoc::ConceptRef> MergeConcepts(
    const TermIdsByLanguage& by_language) {
  std::vector<CpvConcepts::LanguageTermIds> parts;
  parts.reserve(by_language.size());
  for (const auto& [lang, ids] : by_language) parts.push_back({lang, &ids});
  const std::vector<Concept> concepts =
      CpvConcepts::Builtin().MergedConceptsOfTermIds(parts);
  std::vector<SupplierDoc::ConceptRef> out;
  out.reserve(concepts.size());
  for (const Concept& c : concepts) {
    out.emplace_back(c.code, static_cast<float>(c.weight));
  }
  return out;
}

// Gives back what growing the lists one doc at a time left unused (a
// quarter of the CPV and concept postings' blocks at 100k, issue 16).
template <typename Key>
void ShrinkPostings(absl::flat_hash_map<Key, std::vector<uint32_t>>* lists) {
  for (auto& [key, list] : *lists) list.shrink_to_fit();
}

// A CPV code's first two digits, its division, are its digits over this.
constexpr uint32_t kDivisionUnit = 1000000;
constexpr uint32_t kDivisions = 100;

// What the concept postings need of a concept's code: its division's two
// digits (the list it posts in) and its marks there.
struct ConceptKey {
  uint32_t division;
  uint32_t marks;  // IndexData::ConceptMarks.
};

// ConceptKey of every code of CpvTaxonomy::Builtin(), by ordinal (which
// numbers every concept, SupplierParts): made once.
const std::vector<ConceptKey>& ConceptKeys() {
  static const auto* keys = [] {
    const CpvTaxonomy& cpv = CpvTaxonomy::Builtin();
    auto* made = new std::vector<ConceptKey>(cpv.size());
    for (int i = 0; i < cpv.size(); ++i) {
      const CpvCode code = cpv.CodeAt(i);
      (*made)[i] = {code.digits() / kDivisionUnit,
                    IndexData::ConceptMarks(code)};
    }
    return made;
  }();
  return *keys;
}

const std::vector<uint32_t>& EmptyDocs() {
  static const auto* empty = new std::vector<uint32_t>();
  return *empty;
}

}  // namespace

std::vector<std::pair<absl::string_view, absl::string_view>> ConceptTexts(
    const v1::SupplierProfile& p) {
  std::vector<std::pair<absl::string_view, absl::string_view>> out;
  out.emplace_back(p.description(), p.description_language());
  for (const v1::Capability& c : p.capabilities()) {
    out.emplace_back(c.description(), c.language());
  }
  for (const v1::PastContract& c : p.past_contracts()) {
    out.emplace_back(c.title(), c.language());
    out.emplace_back(c.description(), c.language());
  }
  return out;
}

namespace {

// The profile of bytes that were serialised from a validated profile
// (AnalyzeProfile) or were parsed and validated when a snapshot was loaded:
// they parse, unless the snapshot file an index keeps mapped was changed in
// place under it (doc/snapshot.md, "What a loaded index keeps"). Then no
// answer read from the index can be trusted, and rather than explain or
// rule with an empty profile the process stops, saying why, as the SIGBUS
// of a file cut short under the mapping would.
v1::SupplierProfile ParseProfile(const ProfileBytes& bytes) {
  v1::SupplierProfile profile;
  if (!profile.ParseFromArray(bytes.view().data(),
                              static_cast<int>(bytes.view().size()))) {
    std::fputs(
        "procmatch: a stored supplier profile no longer parses: the snapshot "
        "file this index was loaded from was changed in place while loaded "
        "(write snapshots by replacing the file, as `procmatch index --out` "
        "does)\n",
        stderr);
    std::abort();
  }
  return profile;
}

std::string KeywordTextOf(const ProfileBytes& profile_bytes) {
  return KeywordText(ParseProfile(profile_bytes));
}

}  // namespace

ProfileBytes::ProfileBytes(std::string bytes) {
  auto owned = std::make_shared<const std::string>(std::move(bytes));
  bytes_ = *owned;
  store_ = std::move(owned);
}

namespace {

// `*slot`, made with `make` when it is still null: concurrent first calls
// may each make one, the first stored is kept and the others freed.
template <typename T, typename Make>
T& MadeOnce(std::atomic<T*>* slot, Make make) {
  T* made = slot->load(std::memory_order_acquire);
  if (made != nullptr) return *made;
  std::unique_ptr<T> mine = make();
  if (slot->compare_exchange_strong(made, mine.get(), std::memory_order_acq_rel,
                                    std::memory_order_acquire)) {
    return *mine.release();
  }
  return *made;  // Another call stored its own first.
}

}  // namespace

KeywordTexts::Forms::~Forms() {
  delete folded.load(std::memory_order_relaxed);
  delete as_written.load(std::memory_order_relaxed);
}

KeywordTexts::~KeywordTexts() { delete forms_.load(std::memory_order_relaxed); }

KeywordTexts::Forms& KeywordTexts::FormsOf() const {
  return MadeOnce(&forms_, [] { return std::make_unique<Forms>(); });
}

const std::string& KeywordTexts::Folded(
    const ProfileBytes& profile_bytes) const {
  return MadeOnce(&FormsOf().folded, [&] {
    return std::make_unique<const std::string>(
        FoldText(KeywordTextOf(profile_bytes)));
  });
}

const std::string& KeywordTexts::AsWritten(
    const ProfileBytes& profile_bytes) const {
  return MadeOnce(&FormsOf().as_written, [&] {
    return std::make_unique<const std::string>(KeywordTextOf(profile_bytes));
  });
}

v1::SupplierProfile SupplierDoc::Profile() const {
  return ParseProfile(profile_bytes);
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

namespace {

// A term's first eight bytes as a big-endian number, zeros after a shorter
// term: where two terms' prefixes differ, they are in the order of the terms
// (the first byte that differs decides both, and a term that ends first,
// its padding 0 against a byte, is the lesser both ways); where they are
// equal, the terms decide.
uint64_t TermPrefix(absl::string_view term) {
  uint64_t prefix = 0;
  for (size_t i = 0; i < 8; ++i) {
    prefix = prefix << 8 |
             (i < term.size() ? static_cast<unsigned char>(term[i]) : 0u);
  }
  return prefix;
}

// An entry of a profile's term counts, beside its term's TermPrefix.
struct TermEntry {
  uint64_t prefix;
  const std::pair<const std::string, uint32_t>* entry;
};

// The vectors AnalyzeProfile builds a doc from, kept by each thread from one
// supplier to the next: emptied, their blocks not freed, so that a
// supplier's analysis allocates little besides what its doc keeps and the
// strings it makes (issue 16: the allocations made in AnalyzeProfile were a
// tenth of a 1M load's perf samples).
struct ProfileScratch {
  RarelySetFields::Fields rare;
  std::vector<std::string> scheme_keys;
  std::vector<CpvCode> offered;
  std::vector<std::string> tags;
  std::vector<std::pair<size_t, size_t>> level_tags;
  std::vector<ContractStore::Contract> contracts;
  std::vector<std::string> keys;
  std::vector<CpvCode> contract_codes;
  std::vector<size_t> codes_end;
  std::vector<uint32_t> offered_bcd;
  std::vector<std::string> unique_tags;
  std::vector<TermEntry> by_term;
};

}  // namespace

absl::StatusOr<AnalyzedSupplier> AnalyzeProfile(
    const v1::SupplierProfile& profile, const Options& options,
    const StoredTerms* restored_terms,
    const RestoredConcepts* restored_concepts, const ProfileBytes* stored_bytes,
    const ParsedSupplierCodes* parsed) {
  auto doc = std::make_shared<SupplierDoc>();
  const v1::SupplierProfile& p = profile;
  const std::string& id = p.id();
  CpvCodeSource cpv(CpvOf(options), parsed == nullptr ? nullptr : &parsed->cpv,
                    id);
  const FieldPath root("");  // The fields' names, in errors only.
  absl::Status codes = SetIsoCode(p.country(), id, "country", &doc->country);
  if (codes.ok()) {
    codes = SetIsoCode(p.executive_management_country(), id,
                       "executive_management_country", &doc->executive_country);
  }
  if (!codes.ok()) return codes;
  doc->third_country_control = p.third_country_control();
  doc->entity_type = p.entity_type();
  thread_local ProfileScratch scratch;
  RarelySetFields::Fields& rare = scratch.rare;
  rare.facility_clearances.clear();
  rare.cleared_staff.clear();
  rare.certificates.clear();
  rare.alternative_names.assign(p.alternative_names().begin(),
                                p.alternative_names().end());
  for (const v1::FacilityClearance& fc : p.facility_clearances()) {
    rare.facility_clearances.push_back(
        {fc.level(),
         DayOr(fc.valid_until(), fc.has_valid_until(), NoExpiry())});
  }
  for (const v1::ClearedStaff& cs : p.cleared_staff()) {
    rare.cleared_staff.emplace_back(cs.level(), cs.count());
  }
  // The certificates' views see them: reserved, so that none moves.
  std::vector<std::string>& scheme_keys = scratch.scheme_keys;
  scheme_keys.clear();
  scheme_keys.reserve(p.certifications_size());
  for (const v1::Certification& c : p.certifications()) {
    scheme_keys.push_back(NormalizeScheme(c.scheme()));
    rare.certificates.push_back(
        {scheme_keys.back(), c.scheme(),
         DayOr(c.valid_until(), c.has_valid_until(), NoExpiry())});
  }
  rare.languages.assign(p.languages().begin(), p.languages().end());
  doc->rarely_set.Assign(rare);
  int latest_year = -1;
  for (int i = 0; i < p.turnover_size(); ++i) {
    const v1::AnnualTurnover& t = p.turnover(i);
    if (t.year() > latest_year) {
      latest_year = t.year();
      doc->has_turnover = true;
      doc->turnover = t.amount().amount();
      const FieldPath turnover = root.Member("turnover", i);
      const FieldPath amount = turnover.Member("amount");
      codes = SetIsoCode(t.amount().currency(), id, amount.Member("currency"),
                         &doc->turnover_currency);
      if (!codes.ok()) return codes;
    }
  }
  doc->employees = p.employees();
  // A supplier without a region is located in its country (level 0); one
  // with neither has no location, which proximity rules then say.
  const NutsTaxonomy& nuts = NutsOf(options);
  if (!p.nuts_code().empty() && parsed != nullptr) {
    doc->location = parsed->nuts;
  } else if (!p.nuts_code().empty()) {
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
  std::vector<CpvCode>& offered = scratch.offered;  // Kept as bcd() forms.
  offered.clear();
  // Sized first, as contract_codes below: growing them was 1.5% of a load.
  size_t offered_codes = static_cast<size_t>(p.cpv_codes_size());
  for (const v1::Capability& cap : p.capabilities()) {
    offered_codes += static_cast<size_t>(cap.cpv_codes_size());
  }
  offered.reserve(offered_codes);
  if (s.ok()) {
    s = cpv.Append(p.cpv_codes(), root.Member("cpv_codes"), &offered);
  }
  std::vector<std::string>& tags = scratch.tags;
  tags.clear();
  // The capabilities with a level, their tags given as indices once the
  // doc's tags are sorted; meanwhile the range of `tags` each one added.
  std::vector<CapabilityLevels::Capability> levels;
  std::vector<std::pair<size_t, size_t>>& level_tags = scratch.level_tags;
  level_tags.clear();
  levels.reserve(static_cast<size_t>(p.capabilities_size()));
  level_tags.reserve(levels.capacity());
  for (int i = 0; s.ok() && i < p.capabilities_size(); ++i) {
    const v1::Capability& cap = p.capabilities(i);
    const size_t first_code = offered.size();
    const FieldPath field = root.Member("capabilities", i);
    s = cpv.Append(cap.cpv_codes(), field.Member("cpv_codes"), &offered);
    if (!s.ok()) break;
    const size_t first_tag = tags.size();
    for (const std::string& tag : cap.tags()) tags.push_back(FoldText(tag));
    if (cap.technology_readiness() > 0) {
      levels.push_back(
          {cap.technology_readiness(),
           std::vector<CpvCode>(offered.begin() + first_code, offered.end()),
           {}});
      level_tags.emplace_back(first_tag, tags.size());
    }
  }
  // The contracts' records view the profile's texts, the two keys made
  // here, and their codes in one vector.
  std::vector<ContractStore::Contract>& contracts = scratch.contracts;
  contracts.assign(p.past_contracts_size(), ContractStore::Contract());
  std::vector<std::string>& keys = scratch.keys;
  keys.resize(2 * contracts.size());
  std::vector<CpvCode>& contract_codes = scratch.contract_codes;
  contract_codes.clear();
  size_t contract_code_count = 0;
  for (const v1::PastContract& pc : p.past_contracts()) {
    contract_code_count += static_cast<size_t>(pc.cpv_codes_size());
  }
  contract_codes.reserve(contract_code_count);
  std::vector<size_t>& codes_end = scratch.codes_end;
  codes_end.assign(contracts.size(), 0);
  for (int i = 0; s.ok() && i < p.past_contracts_size(); ++i) {
    const v1::PastContract& pc = p.past_contracts(i);
    ContractStore::Contract& record = contracts[i];
    const FieldPath field = root.Member("past_contracts", i);
    s = cpv.Append(pc.cpv_codes(), field.Member("cpv_codes"), &contract_codes);
    if (!s.ok()) break;
    codes_end[i] = contract_codes.size();
    record.has_date = pc.has_award_date();
    if (record.has_date) record.date = ToCivilDay(pc.award_date());
    absl::string_view* texts = record.texts;
    keys[2 * i] = FoldText(pc.buyer_name());
    keys[2 * i + 1] = BuyerActivityKey(pc.buyer_country(), pc.buyer_activity());
    texts[ContractRecord::kBuyerKey] = keys[2 * i];
    texts[ContractRecord::kBuyerCountry] = pc.buyer_country();
    texts[ContractRecord::kBuyerName] = pc.buyer_name();
    texts[ContractRecord::kSourceNoticeId] = pc.source_notice_id();
    texts[ContractRecord::kActivityKey] = keys[2 * i + 1];
    if (pc.has_value() && pc.value().amount() > 0) {
      record.value = pc.value().amount();
      texts[ContractRecord::kValueCurrency] = pc.value().currency();
    }
  }
  if (s.ok()) {
    for (size_t i = 0; i < contracts.size(); ++i) {
      const size_t begin = i == 0 ? 0 : codes_end[i - 1];
      contracts[i].cpv = absl::MakeConstSpan(contract_codes.data() + begin,
                                             codes_end[i] - begin);
    }
    doc->contracts.Assign(contracts);
  }
  // The texts that say what the supplier does: terms and concepts, unless
  // both were restored from a snapshot (doc/snapshot.md).
  TermIdsByLanguage by_language;
  TermIdsByLanguage* concept_terms =
      options.cpv_concepts && restored_concepts == nullptr ? &by_language
                                                           : nullptr;
  if (counts != nullptr || concept_terms != nullptr) {
    for (const auto& [text, language] : ConceptTexts(p)) {
      if (!s.ok()) break;
      s = AddText(text, language, counts, concept_terms);
    }
  }
  if (!s.ok()) {
    if (absl::StartsWith(s.message(), "supplier \"")) return s;
    return absl::InvalidArgumentError(
        absl::StrCat("supplier \"", id, "\": ", s.message()));
  }
  SortUnique(&offered);
  std::vector<uint32_t>& offered_bcd = scratch.offered_bcd;
  offered_bcd.clear();
  offered_bcd.reserve(offered.size());
  for (CpvCode c : offered) offered_bcd.push_back(c.bcd());
  std::vector<std::string>& unique_tags = scratch.unique_tags;
  unique_tags.assign(tags.begin(), tags.end());
  SortUnique(&unique_tags);
  for (size_t l = 0; l < levels.size(); ++l) {
    for (size_t t = level_tags[l].first; t < level_tags[l].second; ++t) {
      levels[l].tags.push_back(static_cast<uint32_t>(
          std::lower_bound(unique_tags.begin(), unique_tags.end(), tags[t]) -
          unique_tags.begin()));
    }
  }
  doc->capability_levels.Assign(levels);
  std::vector<SupplierDoc::ConceptRef> merged;
  if (restored_concepts == nullptr || !options.cpv_concepts) {
    merged = MergeConcepts(by_language);
  }
  const bool restored = restored_concepts != nullptr && options.cpv_concepts;
  // SupplierParts numbers them in the builtin taxonomy, which the concept
  // model's codes and a snapshot's (numbered when read) are in; it says if
  // one is not.
  if (absl::Status parts = doc->parts.Assign(
          {profile.id(), profile.name(), offered_bcd, unique_tags,
           restored ? restored_concepts->concepts : merged,
           restored ? absl::MakeConstSpan(restored_concepts->ordinals)
                    : absl::Span<const uint16_t>()});
      !parts.ok()) {
    return absl::InternalError(
        absl::StrCat("supplier \"", id, "\": ", parts.message()));
  }
  AnalyzedSupplier analyzed;
  if (restored_terms != nullptr) {
    doc->terms = TermList(restored_terms->size(),
                          [&](size_t i) { return (*restored_terms)[i]; });
  } else {
    // By term, for a vocabulary numbered the same in every process:
    // pointers to the map's entries are sorted by term, then copied once
    // (sorting the pairs of strings themselves was 7% of a build, issue 16),
    // each beside its TermPrefix, so that most comparisons compare two
    // integers (comparing the strings was 4% of a build's instructions,
    // session 20).
    std::vector<TermEntry>& by_term = scratch.by_term;
    by_term.clear();
    by_term.reserve(term_counts.size());
    for (const auto& entry : term_counts) {
      by_term.push_back({TermPrefix(entry.first), &entry});
    }
    std::sort(by_term.begin(), by_term.end(),
              [](const TermEntry& a, const TermEntry& b) {
                if (a.prefix != b.prefix) return a.prefix < b.prefix;
                return a.entry->first < b.entry->first;
              });
    analyzed.terms.reserve(by_term.size());
    for (const TermEntry& t : by_term) analyzed.terms.emplace_back(*t.entry);
  }
  if (stored_bytes != nullptr) {
    doc->profile_bytes = *stored_bytes;
  } else {
    // Serialising a valid message cannot fail; without maps it is
    // deterministic, so a snapshot written from these bytes is canonical.
    doc->profile_bytes = ProfileBytes(profile.SerializeAsString());
  }
  analyzed.doc = std::move(doc);
  return analyzed;
}

std::shared_ptr<const SupplierDoc> NumberTerms(
    AnalyzedSupplier analyzed,
    absl::flat_hash_map<std::string, uint32_t>* vocabulary) {
  SupplierDoc& doc = *analyzed.doc;
  // Restored terms are in the doc already.
  if (!analyzed.terms.empty()) {
    TermCounts counts;
    counts.reserve(analyzed.terms.size());
    for (auto& [term, count] : analyzed.terms) {
      auto [it, inserted] = vocabulary->try_emplace(
          std::move(term), static_cast<uint32_t>(vocabulary->size()));
      counts.emplace_back(it->second, count);
    }
    std::sort(counts.begin(), counts.end());
    doc.terms = TermList(counts);
  }
  for (const auto& [term, count] : doc.terms) doc.length += count;
  return std::move(analyzed.doc);
}

namespace {

// The options an index is built with that no later call checks.
absl::Status CheckOptions(const Options& options) {
  if (options.build_threads < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "options.build_threads: ", options.build_threads, " is negative"));
  }
  if (options.max_keyword_patterns < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "options.max_keyword_patterns: ", options.max_keyword_patterns,
        " is negative"));
  }
  // Written so that NaN fails too.
  if (!(options.min_match_score >= 0 && options.min_match_score < 1)) {
    return absl::InvalidArgumentError(
        absl::StrCat("options.min_match_score: ", options.min_match_score,
                     " is outside [0, 1)"));
  }
  return absl::OkStatus();
}

// work(i) for i in [0, n) on up to `threads` threads, each taking `chunk`
// items at a time.
void ParallelFor(size_t n, int threads, const std::function<void(size_t)>& work,
                 size_t chunk = 16) {
  std::atomic<size_t> next{0};
  auto run = [&] {
    for (size_t start; (start = next.fetch_add(chunk)) < n;) {
      for (size_t i = start; i < std::min(n, start + chunk); ++i) work(i);
    }
  };
  const size_t helpers =
      std::min(static_cast<size_t>(std::max(threads, 1)) - 1, n / chunk);
  std::vector<std::thread> pool;
  pool.reserve(helpers);
  for (size_t t = 0; t < helpers; ++t) pool.emplace_back(run);
  run();
  for (std::thread& t : pool) t.join();
}

// ParallelFor for a sequence of batches, on threads kept from one batch to
// the next, so that what a thread keeps (the analyser's memo of stems,
// AnalyzeProfile's scratch) stays warm: threads started for each batch of
// AnalyzeSuppliers began each one with an empty memo (session 20).
class BatchThreads {
 public:
  // `helpers` threads beside the calling one.
  explicit BatchThreads(size_t helpers) {
    helpers_.reserve(helpers);
    for (size_t t = 0; t < helpers; ++t) {
      helpers_.emplace_back([this] { Help(); });
    }
  }

  ~BatchThreads() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
    }
    start_.notify_all();
    for (std::thread& t : helpers_) t.join();
  }

  // work(i) for i in [0, n) on every thread, kChunk items at a time; the
  // calling thread runs `first` before it takes any, while the helpers have
  // started.
  void Run(size_t n, const std::function<void(size_t)>& work,
           const std::function<void()>& first) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      work_ = &work;
      n_ = n;
      next_.store(0, std::memory_order_relaxed);
      busy_ = helpers_.size();
      ++round_;
    }
    start_.notify_all();
    // The helpers are waited for even when `first` or the work throws
    // (bad_alloc): they read `work` and write where it writes.
    struct Waiter {
      BatchThreads* threads;
      ~Waiter() {
        std::unique_lock<std::mutex> lock(threads->mutex_);
        threads->done_.wait(lock, [this] { return threads->busy_ == 0; });
      }
    } waiter{this};
    first();
    Take();
  }

 private:
  static constexpr size_t kChunk = 16;

  // The round's items, until none is left.
  void Take() {
    for (size_t start; (start = next_.fetch_add(kChunk)) < n_;) {
      for (size_t i = start; i < std::min(n_, start + kChunk); ++i) {
        (*work_)(i);
      }
    }
  }

  void Help() {
    uint64_t seen = 0;  // The last round taken part in.
    while (true) {
      {
        std::unique_lock<std::mutex> lock(mutex_);
        start_.wait(lock, [&] { return stopping_ || round_ != seen; });
        if (stopping_) return;
        seen = round_;
      }
      Take();
      std::lock_guard<std::mutex> lock(mutex_);
      if (--busy_ == 0) done_.notify_one();
    }
  }

  std::mutex mutex_;
  std::condition_variable start_;  // A round begins, or the threads stop.
  std::condition_variable done_;   // Every helper is through the round.
  uint64_t round_ = 0;
  bool stopping_ = false;
  size_t busy_ = 0;  // Helpers still in the round.
  // The round's work and items; written by Run under the mutex while no
  // helper is in a round.
  const std::function<void(size_t)>* work_ = nullptr;
  size_t n_ = 0;
  std::atomic<size_t> next_{0};
  std::vector<std::thread> helpers_;
};

// Unsaturated(evidence) as a float never below it: raised by a relative
// 1e-9 (log1p and the division may round a smaller evidence's value a unit
// in the last place above a larger one's), then rounded up to a float.
float UnsaturatedCeiling(double evidence) {
  const double v = std::min(1.0, Unsaturated(evidence) * (1 + 1e-9));
  float f = static_cast<float>(v);
  if (static_cast<double>(f) < v) f = std::nextafter(f, 2.0f);
  return f;
}

// Sorts `docs` by id, the ids read once: a sort comparing the docs
// themselves read two ids from their parts (SupplierParts::Head) per
// comparison, 6% of a 10k build's instructions on the calling thread
// (session 20). Docs given in id order (profiles added in that order) are
// left as they are after one pass. Ties, a supplier given twice, stay next
// to each other, in their given order.
void SortById(std::vector<std::shared_ptr<const SupplierDoc>>* docs) {
  std::vector<std::pair<absl::string_view, size_t>> keys;
  keys.reserve(docs->size());
  for (size_t i = 0; i < docs->size(); ++i) {
    keys.emplace_back((*docs)[i]->parts.id(), i);
  }
  if (std::is_sorted(keys.begin(), keys.end())) return;
  std::sort(keys.begin(), keys.end());
  std::vector<std::shared_ptr<const SupplierDoc>> sorted;
  sorted.reserve(docs->size());
  for (const auto& [id, i] : keys) sorted.push_back(std::move((*docs)[i]));
  *docs = std::move(sorted);
}

}  // namespace

int BuildThreads(const Options& options) {
  if (options.build_threads > 0) return options.build_threads;
  return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

absl::StatusOr<std::vector<std::shared_ptr<const SupplierDoc>>>
AnalyzeSuppliers(std::deque<v1::SupplierProfile> profiles,
                 const Options& options,
                 absl::flat_hash_map<std::string, uint32_t>* vocabulary) {
  // In batches, so that the analysed text of two batches only is held at
  // once; each batch is analysed in parallel, and numbered in input order
  // on the calling thread while the next one is analysed: numbered between
  // the batches, on one thread while the others waited, it was 12% of a
  // 100k build's perf samples (session 19).
  constexpr size_t kBatch = 4096;
  if (absl::Status s = CheckOptions(options); !s.ok()) return s;
  BatchThreads threads(std::min(static_cast<size_t>(BuildThreads(options)) - 1,
                                profiles.size() / 16));
  std::vector<std::shared_ptr<const SupplierDoc>> docs;
  docs.reserve(profiles.size());
  std::vector<absl::StatusOr<AnalyzedSupplier>> batch;
  std::vector<absl::StatusOr<AnalyzedSupplier>> analyzed;  // To number.
  absl::Status numbered;  // The first error met numbering.
  auto number = [&] {
    for (absl::StatusOr<AnalyzedSupplier>& supplier : analyzed) {
      if (!supplier.ok()) {
        numbered = supplier.status();
        return;
      }
      docs.push_back(NumberTerms(*std::move(supplier), vocabulary));
    }
    analyzed.clear();
  };
  for (size_t start = 0; start < profiles.size(); start += kBatch) {
    const size_t n = std::min(kBatch, profiles.size() - start);
    batch.assign(n, absl::StatusOr<AnalyzedSupplier>());
    threads.Run(
        n,
        [&](size_t i) {
          // Moved out, so that each profile is freed once analysed.
          const v1::SupplierProfile profile = std::move(profiles[start + i]);
          batch[i] = AnalyzeProfile(profile, options);
        },
        number);
    if (!numbered.ok()) return numbered;
    std::swap(batch, analyzed);
  }
  number();
  if (!numbered.ok()) return numbered;
  return docs;
}

TermDictionary DictionaryOf(
    const absl::flat_hash_map<std::string, uint32_t>& vocabulary) {
  std::vector<absl::string_view> terms(vocabulary.size());
  for (const auto& [term, id] : vocabulary) terms[id] = term;
  return TermDictionary(terms);
}

absl::StatusOr<std::shared_ptr<const SupplierIndex>> IndexAccess::Assemble(
    std::vector<std::shared_ptr<const SupplierDoc>> docs,
    TermDictionary vocabulary, uint64_t generation, const Options& options,
    const StoredPostings& stored, DocOrder order) {
  auto data = std::make_unique<IndexData>();
  IndexData& x = *data;
  x.options_ = options;
  x.generation_ = generation;
  // Docs in id order are checked in the first pass below, on a build
  // thread: checked here, one id against the next on one thread, it took
  // about a tenth of a load's perf samples at 1M suppliers (issue 16).
  if (order == DocOrder::kAny) SortById(&docs);
  x.docs_ = std::move(docs);
  x.lengths_.reserve(x.docs_.size());
  x.location_ids_.reserve(x.docs_.size());
  x.turnovers_.reserve(x.docs_.size());
  x.track_ceilings_.reserve(x.docs_.size());
  x.buyer_ceilings_.reserve(x.docs_.size());
  x.contract_dates_.reserve(x.docs_.size());
  x.contract_divisions_.reserve(x.docs_.size());
  x.offered_divisions_.reserve(x.docs_.size());
  x.turnover_currencies_.reserve(x.docs_.size());
  x.vocabulary_ = std::move(vocabulary);
  // Four passes over the docs, each filling its own structures, so that
  // they can run on separate threads; each visits the docs in order, so
  // the result does not depend on the threads.
  const uint32_t n = static_cast<uint32_t>(x.docs_.size());
  uint64_t total_length = 0;
  const SupplierDoc* twice = nullptr;  // A supplier given twice.
  int64_t out_of_order = -1;           // The first doc before its previous.
  auto ids_and_columns = [&] {
    absl::flat_hash_map<NutsCode, uint32_t> location_ids;
    for (uint32_t d = 0; d < n; ++d) {
      const SupplierDoc& doc = *x.docs_[d];
      // In id order, a supplier given twice follows itself.
      if (d > 0) {
        const int c = x.docs_[d - 1]->parts.id().compare(doc.parts.id());
        if (c == 0) {
          twice = &doc;
          return;
        }
        if (c > 0) {
          out_of_order = d;
          return;
        }
      }
      total_length += doc.length;
      x.lengths_.push_back(doc.length);
      auto [location, added] = location_ids.try_emplace(
          doc.location, static_cast<uint32_t>(x.locations_.size()));
      if (added) x.locations_.push_back(doc.location);
      x.location_ids_.push_back(location->second);
      int32_t currency = IndexData::kNoCurrency;
      if (doc.has_turnover) {
        currency =
            x.currency_ids_
                .try_emplace(doc.turnover_currency.view(),
                             static_cast<int32_t>(x.currency_ids_.size()))
                .first->second;
      }
      x.turnovers_.push_back(doc.has_turnover ? doc.turnover : 0);
      x.turnover_currencies_.push_back(currency);
      double track = 0;
      int64_t newest = IndexData::kNoDatedContract;
      int32_t undated = 0;
      uint64_t divisions = 0;
      for (const ContractRecord& c : doc.contracts) {
        track += ContractSize(c);
        for (CpvCode code : c.cpv()) divisions |= IndexData::DivisionBit(code);
        if (!c.has_date()) {
          undated = 1;
        } else {
          newest = std::max(
              newest,
              std::clamp<int64_t>(c.days(), -IndexData::kContractDaysLimit,
                                  IndexData::kContractDaysLimit));
        }
      }
      x.contract_dates_.push_back(static_cast<int32_t>(newest) * 2 + undated);
      x.contract_divisions_.push_back(divisions);
      uint64_t offered = 0;
      for (uint32_t bcd : doc.parts.offered_bcd()) {
        offered |= IndexData::DivisionBit(CpvOfBcd(bcd));
      }
      x.offered_divisions_.push_back(offered);
      x.track_ceilings_.push_back(UnsaturatedCeiling(track));
      x.buyer_ceilings_.push_back(
          UnsaturatedCeiling(static_cast<double>(doc.contracts.size())));
    }
  };
  // A code posts under itself and each of its ancestors, so that any level
  // of a tender's code reaches it. Docs arrive in order, so each list stays
  // sorted; a doc is posted once per code.
  absl::Status stored_cpv_postings;
  auto cpv_postings = [&] {
    if (stored.cpv) {
      stored_cpv_postings =
          stored.cpv(&x.cpv_postings_, &x.offered_cpv_postings_);
      return;
    }
    for (uint32_t d = 0; d < n; ++d) {
      const SupplierDoc& doc = *x.docs_[d];
      auto post = [&](CpvCode code) {
        for (int depth = code.depth(); depth >= 2; --depth) {
          std::vector<uint32_t>& list = x.cpv_postings_[code.Truncated(depth)];
          if (list.empty() || list.back() != d) list.push_back(d);
        }
      };
      for (uint32_t bcd : doc.parts.offered_bcd()) {
        const CpvCode c = CpvOfBcd(bcd);
        post(c);
        if (c.depth() < 8) {
          std::vector<uint32_t>& list = x.offered_cpv_postings_[c];
          if (list.empty() || list.back() != d) list.push_back(d);
        }
      }
      for (const ContractRecord& r : doc.contracts) {
        for (CpvCode c : r.cpv()) post(c);
      }
    }
    ShrinkPostings(&x.cpv_postings_);
    ShrinkPostings(&x.offered_cpv_postings_);
  };
  absl::Status stored_term_postings;
  auto term_postings = [&] {
    if (stored.terms) {
      stored_term_postings = stored.terms(&x.term_postings_);
      return;
    }
    x.term_postings_ =
        TermPostingStore::Build(x.vocabulary_.size(), [&](auto post) {
          for (uint32_t d = 0; d < n; ++d) {
            for (const auto& [term, tf] : x.docs_[d]->terms) post(d, term, tf);
          }
        });
  };
  // The other postings, in two passes of about the same work.
  auto buyer_and_tag_postings = [&] {
    for (uint32_t d = 0; d < n; ++d) {
      const SupplierDoc& doc = *x.docs_[d];
      auto post_buyer = [&](absl::string_view key) {
        if (key.empty()) return;
        std::vector<uint32_t>& list = x.buyer_postings_[key];
        if (list.empty() || list.back() != d) list.push_back(d);
      };
      for (const ContractRecord& r : doc.contracts) {
        post_buyer(BuyerPostingKey(r.buyer_key()));
        post_buyer(r.activity_key());
      }
      for (absl::string_view tag : doc.parts.tags()) {
        x.tag_postings_[std::string(tag)].push_back(d);
      }
    }
    ShrinkPostings(&x.buyer_postings_);
    ShrinkPostings(&x.tag_postings_);
  };
  auto concept_and_certification_postings = [&] {
    // The lists by division (its two digits) while they grow, each concept
    // found by its ordinal (ConceptKeys): decoding every concept's code
    // twice, for its division and its group, and hashing the division was
    // most of this pass (issue 16).
    const std::vector<ConceptKey>& keys = ConceptKeys();
    std::vector<IndexData::ConceptPostingList> by_division(kDivisions);
    for (uint32_t d = 0; d < n; ++d) {
      const SupplierDoc& doc = *x.docs_[d];
      const ConceptList concepts = doc.parts.concepts();
      for (size_t i = 0; i < concepts.size(); ++i) {
        const ConceptKey key = keys[concepts.ordinal(i)];
        const float weight = concepts.weight(i);
        IndexData::ConceptPostingList& list = by_division[key.division];
        if (!list.postings.empty() && list.postings.back().first == d) {
          list.postings.back().second =
              std::max(list.postings.back().second, weight);
          list.marks.back() |= key.marks;
        } else {
          list.postings.emplace_back(d, weight);
          list.marks.push_back(key.marks);
        }
      }
      for (const Certificate& c : doc.rarely_set.certificates()) {
        std::vector<uint32_t>& list = x.certification_postings_[c.scheme_key];
        if (list.empty() || list.back() != d) list.push_back(d);
      }
    }
    ShrinkPostings(&x.certification_postings_);
    for (uint32_t division = 0; division < kDivisions; ++division) {
      IndexData::ConceptPostingList& list = by_division[division];
      if (list.postings.empty()) continue;
      list.postings.shrink_to_fit();
      list.marks.shrink_to_fit();
      for (const auto& [doc, weight] : list.postings) {
        const int b = IndexData::ConceptBand(weight);
        ++list.band_count[b];
        list.band_top[b] = std::max(list.band_top[b], weight);
      }
      x.concept_postings_[CpvCode::FromDigits(division * kDivisionUnit)] =
          std::move(list);
    }
  };
  // Largest first, so that two threads finish together (in a profile of a
  // load of 100k generated suppliers: terms 34% of the passes' time, CPV
  // codes 30%, the other postings 29% before they were split, ids and
  // columns 7%). Read from a format 3 snapshot, the term postings cost a
  // third of what deriving them does (doc/benchmarks.md, session 15), so
  // they come after the CPV and the other postings. Read too (format 4),
  // the CPV postings cost a fifth of what deriving them does, and the
  // concept postings (by ordinal since session 16) a quarter of what they
  // did: in a 10k load, terms 23, ids and columns 13, concepts 10, CPV
  // codes 7, buyers and tags 5 million instructions (session 16).
  const std::function<void()> derived_first[] = {
      term_postings, cpv_postings, buyer_and_tag_postings,
      concept_and_certification_postings, ids_and_columns};
  const std::function<void()> terms_read_later[] = {
      cpv_postings, buyer_and_tag_postings, concept_and_certification_postings,
      term_postings, ids_and_columns};
  const std::function<void()> both_read[] = {
      term_postings, ids_and_columns, concept_and_certification_postings,
      cpv_postings, buyer_and_tag_postings};
  const auto& passes = stored.cpv     ? both_read
                       : stored.terms ? terms_read_later
                                      : derived_first;
  // A thread is worth starting for some thousands of suppliers.
  constexpr uint32_t kDocsForThreads = 4096;
  ParallelFor(
      std::size(passes), n < kDocsForThreads ? 1 : BuildThreads(options),
      [&](size_t i) { passes[i](); }, /*chunk=*/1);
  if (twice != nullptr) {
    return absl::AlreadyExistsError(absl::StrCat(
        "supplier \"", twice->parts.id(), "\": id: appears twice"));
  }
  if (out_of_order >= 0) {
    return absl::DataLossError(absl::StrCat(
        "supplier ", out_of_order, " (\"", x.docs_[out_of_order]->parts.id(),
        "\"): id: before the previous supplier's, out of id order"));
  }
  if (!stored_term_postings.ok()) return stored_term_postings;
  if (!stored_cpv_postings.ok()) return stored_cpv_postings;
  x.average_length_ =
      x.docs_.empty() ? 0 : static_cast<double>(total_length) / x.docs_.size();
  // Docs grouped by location (a counting sort: ascending within each).
  x.location_starts_.assign(x.locations_.size() + 1, 0);
  for (uint32_t l : x.location_ids_) ++x.location_starts_[l + 1];
  for (size_t l = 1; l < x.location_starts_.size(); ++l) {
    x.location_starts_[l] += x.location_starts_[l - 1];
  }
  x.location_docs_.resize(n);
  {
    std::vector<uint32_t> next(x.location_starts_.begin(),
                               x.location_starts_.end() - 1);
    for (uint32_t d = 0; d < n; ++d) {
      x.location_docs_[next[x.location_ids_[d]]++] = d;
    }
  }
  return std::shared_ptr<const SupplierIndex>(
      new SupplierIndex(std::move(data)));
}

absl::StatusOr<std::shared_ptr<const SupplierIndex>> RestoreIndex(
    const std::vector<absl::string_view>& vocabulary, size_t suppliers,
    const ReadStoredSupplier& read, const StoredPostings& stored,
    uint64_t generation, const Options& options) {
  if (absl::Status s = CheckOptions(options); !s.ok()) return s;
  // The vocabulary is numbered straight into the index's dictionary (a map
  // from the terms, made first to find duplicates, then turned into the
  // dictionary, took about a fifth of a load's perf samples at 1M
  // suppliers, issue 16), as one task beside the suppliers' (below): the
  // suppliers need only its size.
  const size_t terms_known = vocabulary.size();
  absl::StatusOr<TermDictionary> dictionary =
      absl::InternalError("the vocabulary was not numbered");
  // Parsed, checked and analysed on options.build_threads threads; after
  // the vocabulary's, the first problem in supplier order is the one
  // reported.
  const Validator validator(options);
  auto restore = [&](size_t s, StoredSupplier* record,
                     v1::SupplierProfile* profile, ParsedSupplierCodes* codes)
      -> absl::StatusOr<std::shared_ptr<const SupplierDoc>> {
    if (absl::Status read_ok = read(s, record); !read_ok.ok()) return read_ok;
    const absl::string_view bytes = record->profile.view();
    if (!profile->ParseFromArray(bytes.data(),
                                 static_cast<int>(bytes.size()))) {
      return absl::DataLossError(
          absl::StrCat("supplier ", s, ": the profile does not parse"));
    }
    // Parsed from the binary format: protobuf refused invalid UTF-8. The
    // codes validation parses are the ones analysis takes.
    codes->cpv.clear();
    codes->nuts = NutsCode();
    absl::Status valid = ValidateParsedSupplier(validator, *profile, codes);
    if (!valid.ok()) {
      return absl::DataLossError(
          absl::StrCat("invalid profile: ", valid.message()));
    }
    const StoredTerms& terms = record->terms;
    uint32_t previous = 0;
    uint64_t length = 0;
    for (size_t i = 0; i < terms.size(); ++i) {
      const auto [term, count] = terms[i];
      if (term >= terms_known || count == 0 || (i > 0 && term <= previous)) {
        return absl::DataLossError(
            absl::StrCat("supplier \"", profile->id(), "\": term id ", term,
                         " outside the vocabulary of ", terms_known,
                         ", repeated, out of order or with frequency 0"));
      }
      previous = term;
      length += count;
    }
    // A doc's length (BM25's) is the sum of its frequencies, kept in 32 bits;
    // no text the builder accepts comes near it.
    if (length > std::numeric_limits<uint32_t>::max()) {
      return absl::DataLossError(absl::StrCat(
          "supplier \"", profile->id(), "\": term frequencies add up to ",
          length, ", more than a text's length can be (2^32 - 1)"));
    }
    absl::StatusOr<AnalyzedSupplier> doc =
        AnalyzeProfile(*profile, options, &terms,
                       record->has_concepts ? &record->concepts : nullptr,
                       &record->profile, codes);
    if (!doc.ok()) return absl::DataLossError(doc.status().message());
    // The terms are numbered already and their length summed above: what
    // NumberTerms would do is done (it decoded the list again for the sum).
    doc->doc->length = static_cast<uint32_t>(length);
    return std::shared_ptr<const SupplierDoc>(std::move(doc->doc));
  };
  // A chunk of suppliers parses into one message: parsing clears it and
  // reuses its strings and repeated messages, so that a profile costs few
  // allocations and no destruction (a fifth of a load's time went to
  // malloc, free and ~SupplierProfile, issue 16). The message lives on an
  // arena: clearing it abandons its single submessages (dates, amounts) to
  // the arena, freed with it once a chunk, where without one each was
  // deleted and allocated again by the next parse (almost all a parse
  // still allocated). A chunk stops at its first problem; the docs go
  // straight where Assemble takes them (RestoreIndex's own code, where a
  // vector of StatusOr was moved into them afterwards, took 737 of the
  // 2,502 perf samples a 1M load spent on one thread).
  constexpr size_t kChunk = 64;
  const size_t chunks = (suppliers + kChunk - 1) / kChunk;
  std::vector<std::shared_ptr<const SupplierDoc>> docs(suppliers);
  std::vector<absl::Status> chunk_problems(chunks);
  // Task 0 numbers the vocabulary, task c + 1 restores chunk c: a thread
  // that is done with the one goes on with the others.
  ParallelFor(
      chunks + 1, BuildThreads(options),
      [&](size_t task) {
        if (task == 0) {
          dictionary = TermDictionary::OfDistinct(vocabulary);
          return;
        }
        const size_t chunk = task - 1;
        google::protobuf::Arena arena;
        v1::SupplierProfile* profile =
            google::protobuf::Arena::CreateMessage<v1::SupplierProfile>(&arena);
        StoredSupplier record;
        ParsedSupplierCodes codes;
        const size_t end = std::min(suppliers, (chunk + 1) * kChunk);
        for (size_t s = chunk * kChunk; s < end; ++s) {
          absl::StatusOr<std::shared_ptr<const SupplierDoc>> doc =
              restore(s, &record, profile, &codes);
          if (!doc.ok()) {
            chunk_problems[chunk] = doc.status();
            return;
          }
          docs[s] = *std::move(doc);
        }
      },
      /*chunk=*/1);
  // The vocabulary's problem first, then the first supplier's in order.
  if (!dictionary.ok()) {
    return absl::DataLossError(
        absl::StrCat("vocabulary: ", dictionary.status().message()));
  }
  for (const absl::Status& problem : chunk_problems) {
    if (!problem.ok()) return problem;
  }
  absl::StatusOr<std::shared_ptr<const SupplierIndex>> index =
      IndexAccess::Assemble(std::move(docs), *std::move(dictionary), generation,
                            options, stored, IndexAccess::DocOrder::kById);
  // A supplier twice is a fault of the file, not of the caller's input.
  if (!index.ok() && absl::IsAlreadyExists(index.status())) {
    return absl::DataLossError(index.status().message());
  }
  return index;
}

int IndexData::FindDoc(absl::string_view id) const {
  // The docs are in id order: a binary search, rather than a map from ids
  // that took about 54 bytes a supplier (issue 16).
  const auto it = std::lower_bound(
      docs_.begin(), docs_.end(), id,
      [](const std::shared_ptr<const SupplierDoc>& doc,
         absl::string_view wanted) { return doc->parts.id() < wanted; });
  if (it == docs_.end() || (*it)->parts.id() != id) return -1;
  return static_cast<int>(it - docs_.begin());
}

const std::vector<uint32_t>& IndexData::CpvPostings(CpvCode code) const {
  auto it = cpv_postings_.find(code);
  return it == cpv_postings_.end() ? EmptyDocs() : it->second;
}

const std::vector<uint32_t>& IndexData::OfferedCpvPostings(CpvCode code) const {
  auto it = offered_cpv_postings_.find(code);
  return it == offered_cpv_postings_.end() ? EmptyDocs() : it->second;
}

uint32_t IndexData::ConceptGroupBit(CpvCode code) {
  return 1u << (code.digits() / 100000 % 10);
}

uint32_t IndexData::ConceptSignatureBit(CpvCode prefix) {
  // Fibonacci hashing (Knuth): the product's high bits, scaled to the
  // signature's width.
  const uint32_t mixed = prefix.digits() * 2654435761u;
  const uint32_t bit = static_cast<uint32_t>(
      (static_cast<uint64_t>(mixed) * kConceptSignatureBits) >> 32);
  return 1u << (kConceptSignatureShift + bit);
}

uint32_t IndexData::ConceptMarks(CpvCode code) {
  const int depth = code.depth();
  uint32_t marks = ConceptGroupBit(code);
  if (depth == 2) return marks | kDivisionCodeBit;
  if (depth == 3) return marks | ConceptSignatureBit(code);
  for (int k = 4; k <= depth; ++k) {
    marks |= ConceptSignatureBit(code.Truncated(k));
  }
  return marks;
}

const IndexData::ConceptPostingList& IndexData::ConceptPostings(
    CpvCode division) const {
  static const auto* empty = new ConceptPostingList();
  auto it = concept_postings_.find(division);
  return it == concept_postings_.end() ? *empty : it->second;
}

namespace {

// The divisions of CPV 2008, each DivisionBit()'s bit by its place here.
constexpr uint8_t kCpvDivisions[] = {
    3,  9,  14, 15, 16, 18, 19, 22, 24, 30, 31, 32, 33, 34, 35,
    37, 38, 39, 41, 42, 43, 44, 45, 48, 50, 51, 55, 60, 63, 64,
    65, 66, 70, 71, 72, 73, 75, 76, 77, 79, 80, 85, 90, 92, 98};
static_assert(std::size(kCpvDivisions) < 64, "a bit for any other division");

// The bit of each two-digit division number: 63 for any other.
constexpr std::array<uint8_t, kDivisions> DivisionBits() {
  std::array<uint8_t, kDivisions> bit{};
  for (uint8_t& b : bit) b = 63;
  for (size_t i = 0; i < std::size(kCpvDivisions); ++i) {
    bit[kCpvDivisions[i]] = static_cast<uint8_t>(i);
  }
  return bit;
}
constexpr std::array<uint8_t, kDivisions> kDivisionBits = DivisionBits();

}  // namespace

uint64_t IndexData::DivisionBit(CpvCode code) {
  return uint64_t{1}
         << kDivisionBits[code.digits() / kDivisionUnit % kDivisions];
}

double IndexData::ContractRecency(int d, int64_t as_of_days) const {
  const int32_t packed = contract_dates_[d];
  const int32_t newest = (packed - (packed & 1)) / 2;
  double recency = (packed & 1) != 0 ? kUndatedRecency : 0;
  if (newest >= kContractDaysLimit) return 1;
  if (newest != kNoDatedContract) {
    recency = std::max(recency, RecencyOfDays(as_of_days - newest));
  }
  return recency;
}

int32_t IndexData::CurrencyId(absl::string_view currency) const {
  auto it = currency_ids_.find(currency);
  return it == currency_ids_.end() ? kNoCurrency : it->second;
}

int64_t IndexData::TermId(absl::string_view term) const {
  return vocabulary_.Find(term);
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

std::string BuyerPostingKey(absl::string_view buyer_key) {
  return buyer_key.empty() ? std::string() : absl::StrCat("buyer:", buyer_key);
}

std::string BuyerActivityKey(absl::string_view country,
                             absl::string_view activity) {
  if (country.empty() || activity.empty()) return "";
  return absl::StrCat(country, "/", FoldText(activity));
}

std::vector<absl::string_view> IndexData::Vocabulary() const {
  std::vector<absl::string_view> terms(vocabulary_.size());
  for (uint32_t id = 0; id < terms.size(); ++id) {
    terms[id] = vocabulary_.term(id);
  }
  return terms;
}

}  // namespace internal
}  // namespace procmatch
