// File: lib/supplier_index.h
//
// SupplierIndex holds the suppliers procmatch matches against: every profile
// analysed once (codes parsed, text stemmed in its language, certificates
// and clearances dated) with inverted postings for CPV codes at every level
// of the hierarchy, text terms with BM25 statistics and capability tags.
//
// Example:
//
//   procmatch::SupplierIndex::Builder builder;
//   for (const procmatch::v1::SupplierProfile& p : profiles) {
//     absl::Status added = builder.Add(p);  // names the supplier on error
//     if (!added.ok()) return added;
//   }
//   absl::StatusOr<std::shared_ptr<const procmatch::SupplierIndex>> index =
//       std::move(builder).Build();
//
//   // Later: a new generation with changes; readers of the old one go on.
//   auto next = (*index)->ApplyUpdate(update);
//
// Threading: a built SupplierIndex is immutable and safe for concurrent use
// by multiple threads; share it through std::shared_ptr<const
// SupplierIndex>. A Builder is not thread-safe: use one per thread.
//
// Suppliers are held in order of their id, so a supplier's position (its
// "doc") also breaks score ties deterministically.
#ifndef PROCMATCH_LIB_SUPPLIER_INDEX_H_
#define PROCMATCH_LIB_SUPPLIER_INDEX_H_

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "procmatch/cpv.h"
#include "procmatch/internal/supplier_doc.h"
#include "procmatch/v1/supplier.pb.h"
#include "procmatch/validation.h"

namespace procmatch {

class SupplierIndex {
 public:
  class Builder {
   public:
    // Uses the builtin CPV and NUTS lists, which outlive everything.
    Builder();
    Builder(const Builder&) = delete;
    Builder& operator=(const Builder&) = delete;

    // Validates and analyses `profile`. On error (invalid record, duplicate
    // id) nothing is added and the status names the supplier and field; the
    // suppliers already added are kept.
    absl::Status Add(v1::SupplierProfile profile);

    int size() const { return static_cast<int>(docs_.size()); }

    // Builds generation 1. The builder is consumed.
    absl::StatusOr<std::shared_ptr<const SupplierIndex>> Build() &&;

   private:
    friend class SupplierIndex;
    Validator validator_;
    std::vector<std::shared_ptr<const internal::SupplierDoc>> docs_;
    absl::flat_hash_map<std::string, uint32_t> vocabulary_;
    absl::flat_hash_map<std::string, int> ids_;
  };

  SupplierIndex(const SupplierIndex&) = delete;
  SupplierIndex& operator=(const SupplierIndex&) = delete;

  // A new generation with `update` applied: upserts replace the profile with
  // the same id or add it, removed ids must exist. The update is validated
  // first; on error this index is unchanged and nothing is applied. Only the
  // changed profiles are analysed again; the others are shared with this
  // generation. Costs O(size of the index) for the postings.
  absl::StatusOr<std::shared_ptr<const SupplierIndex>> ApplyUpdate(
      const v1::SupplierUpdate& update) const;

  int size() const { return static_cast<int>(docs_.size()); }
  uint64_t generation() const { return generation_; }

  // The doc of the supplier with `id`, or -1.
  int FindDoc(absl::string_view id) const;
  const v1::SupplierProfile& profile(int doc) const {
    return *docs_[doc]->profile;
  }

  // --- For the matcher (lib/matcher.h); not a stable API. ---
  const internal::SupplierDoc& doc(int d) const { return *docs_[d]; }
  // Docs with a code at or below `code` (offered or in past contracts),
  // ascending; empty for none.
  const std::vector<uint32_t>& CpvPostings(CpvCode code) const;
  // Term id of an analysed term, or -1.
  int64_t TermId(absl::string_view term) const;
  // (doc, frequency) for a term id, by doc.
  const std::vector<std::pair<uint32_t, uint32_t>>& TermPostings(
      uint32_t term) const {
    return term_postings_[term];
  }
  const std::vector<uint32_t>& TagPostings(absl::string_view tag) const;
  // Docs holding a certificate of the scheme (a NormalizeScheme() key),
  // valid or not, ascending.
  const std::vector<uint32_t>& CertificationPostings(
      absl::string_view scheme_key) const;
  double average_length() const { return average_length_; }

  // --- For lib/snapshot.h; not a stable API. ---
  // The analysed terms, indexed by term id.
  std::vector<absl::string_view> Vocabulary() const;
  // An index from profiles with their stored (term id, frequency) lists,
  // without validating or analysing text again: the caller vouches for the
  // data (a snapshot's checksum). Structural faults (duplicate ids, term ids
  // outside `vocabulary`) are DataLoss errors.
  static absl::StatusOr<std::shared_ptr<const SupplierIndex>> Restore(
      std::vector<std::string> vocabulary,
      std::vector<std::pair<v1::SupplierProfile,
                            std::vector<std::pair<uint32_t, uint32_t>>>>
          suppliers,
      uint64_t generation);

 private:
  SupplierIndex() = default;
  static absl::StatusOr<std::shared_ptr<const SupplierIndex>> Assemble(
      std::vector<std::shared_ptr<const internal::SupplierDoc>> docs,
      absl::flat_hash_map<std::string, uint32_t> vocabulary,
      uint64_t generation);

  uint64_t generation_ = 0;
  std::vector<std::shared_ptr<const internal::SupplierDoc>> docs_;
  absl::flat_hash_map<std::string, int> doc_of_id_;
  absl::flat_hash_map<std::string, uint32_t> vocabulary_;
  absl::flat_hash_map<CpvCode, std::vector<uint32_t>> cpv_postings_;
  std::vector<std::vector<std::pair<uint32_t, uint32_t>>> term_postings_;
  absl::flat_hash_map<std::string, std::vector<uint32_t>> tag_postings_;
  absl::flat_hash_map<std::string, std::vector<uint32_t>>
      certification_postings_;
  double average_length_ = 0;
};

}  // namespace procmatch

#endif  // PROCMATCH_LIB_SUPPLIER_INDEX_H_
