// File: lib/internal/supplier_doc.h
//
// INTERNAL. The analysed form of one supplier profile: what eligibility
// rules and scoring read, computed once when the profile enters an index and
// shared, immutable, between index generations.
#ifndef PROCMATCH_LIB_INTERNAL_SUPPLIER_DOC_H_
#define PROCMATCH_LIB_INTERNAL_SUPPLIER_DOC_H_

#include <cstdint>
#include <limits>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "procmatch/cpv.h"
#include "procmatch/nuts.h"
#include "procmatch/v1/supplier.pb.h"

namespace procmatch {
namespace internal {

// Stands for "no expiry stated".
inline absl::CivilDay NoExpiry() { return absl::CivilDay(9999, 12, 31); }

struct DatedLevel {
  int level;             // v1::ClearanceLevel.
  absl::CivilDay until;  // NoExpiry() when not stated.
};

struct Certificate {
  std::string scheme_key;  // NormalizeScheme().
  std::string scheme;      // As written, for explanations.
  absl::CivilDay until;
};

struct ContractRecord {
  std::vector<CpvCode> cpv;
  std::vector<uint32_t> cpv_bcd;  // cpv[i].bcd(), for scoring.
  bool has_date = false;
  absl::CivilDay date;
  std::string buyer_key;  // FoldText of the buyer name.
  std::string buyer_country;
  std::string buyer_name;        // As written, for explanations.
  std::string source_notice_id;  // The award notice it came from, or "".
  // BuyerActivityKey() of the buyer's country and main activity, or "".
  std::string activity_key;
  double value = 0;  // The contract's value, 0 when not stated.
  std::string value_currency;
};

// The key buyer affinity compares a buyer's country and main activity by:
// "BE/defence"; "" when either is unknown.
std::string BuyerActivityKey(const std::string& country,
                             const std::string& activity);

// A profile's binary serialisation, immutable: bytes it owns (a profile
// added to a built index) or bytes in a store it keeps alive (the profiles of
// a snapshot, mapped or copied in one block: lib/snapshot.cc), so that a
// loaded index does not copy each profile to the heap. Copies share the
// bytes.
class ProfileBytes {
 public:
  ProfileBytes() = default;
  // Owns `bytes`.
  explicit ProfileBytes(std::string bytes);
  // `bytes` lie in `store`, which is kept as long as this or a copy lives.
  ProfileBytes(absl::string_view bytes, std::shared_ptr<const void> store)
      : store_(std::move(store)), bytes_(bytes) {}

  absl::string_view view() const { return bytes_; }

 private:
  std::shared_ptr<const void> store_;
  absl::string_view bytes_;
};

// A capability with a technology readiness level stated (1-9).
struct CapabilityLevel {
  std::vector<CpvCode> cpv;
  int trl;
  std::vector<std::string> tags;  // FoldText of its tags.
};

// The text keyword requirements are matched against (name, descriptions,
// capabilities and tags, certifications, past contracts): lower-cased and
// accent-folded, or as written for case-sensitive rules. Each form is the
// same for every query, so it is computed the first time a keyword rule of
// its kind looks at the supplier, and kept: parsing the profile and folding
// its text when an index is built or loaded would cost more (several
// microseconds per kilobyte) than the few queries with keyword rules.
// Thread-safe: concurrent first calls compute a form once.
class KeywordTexts {
 public:
  // `profile_bytes` is the owning SupplierDoc's profile_bytes, the same at
  // every call: the first call's text is kept.
  const std::string& Folded(const ProfileBytes& profile_bytes) const;
  const std::string& AsWritten(const ProfileBytes& profile_bytes) const;

 private:
  mutable std::once_flag folded_once_, as_written_once_;
  mutable std::string folded_, as_written_;
};

struct SupplierDoc {
  // The profile as it was added, in the binary format. No protobuf object is
  // kept per supplier (one costs about 2.5 KiB resident, its bytes about
  // 1 KiB): the few readers of the whole profile (explanations, consortium
  // and coverage rules, case-sensitive keywords) parse it with Profile().
  // Restored from a snapshot file, the bytes stay in the mapped file.
  ProfileBytes profile_bytes;
  std::string id;    // The profile's id ...
  std::string name;  // ... and name, which every result carries.
  // The names it is also known by (coverage resolves award winners by name).
  std::vector<std::string> alternative_names;

  // The profile parsed from profile_bytes: a few microseconds a call.
  v1::SupplierProfile Profile() const;

  // Eligibility forward data.
  std::string country;
  std::string executive_country;
  int third_country_control = 0;  // v1::ThirdCountryControl.
  int entity_type = 0;            // v1::EntityType.
  std::vector<DatedLevel> facility_clearances;
  std::vector<std::pair<int, int>> cleared_staff;  // (level, count)
  std::vector<Certificate> certificates;
  bool has_turnover = false;
  double turnover = 0;            // Latest year's amount ...
  std::string turnover_currency;  // ... in this currency.
  int employees = 0;
  std::vector<CapabilityLevel> capability_levels;
  std::vector<std::string> languages;
  NutsCode location;  // Supplier's NUTS code, or its country at level 0.

  // Scoring data.
  std::vector<CpvCode> offered_cpv;   // Profile and capability codes, unique.
  std::vector<uint32_t> offered_bcd;  // offered_cpv[i].bcd(), for scoring.
  std::vector<ContractRecord> contracts;
  std::vector<std::string> tags;  // Folded, sorted, unique.
  // (term id, frequency), sorted by term id.
  std::vector<std::pair<uint32_t, uint32_t>> terms;
  uint32_t length = 0;  // Sum of frequencies.
  // The CPV concepts of its texts (lib/cpv_concepts.h), strongest first, at
  // most CpvConcepts::kMaxConcepts; weights in (0, 1].
  struct ConceptRef {
    CpvCode code;
    uint32_t bcd;  // code.bcd(), for scoring.
    float weight;
  };
  std::vector<ConceptRef> concepts;

  // What keyword requirements are matched against, folded.
  KeywordTexts keyword_texts;
};

// The unfolded text keyword requirements see; case-sensitive rules match
// this, built on demand (they are rare).
std::string KeywordText(const v1::SupplierProfile& profile);

}  // namespace internal
}  // namespace procmatch

#endif  // PROCMATCH_LIB_INTERNAL_SUPPLIER_DOC_H_
