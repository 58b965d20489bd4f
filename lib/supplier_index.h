// File: lib/supplier_index.h
//
// SupplierIndex holds the suppliers procmatch matches against: every profile
// validated and analysed once (codes parsed, text stemmed in its language,
// certificates and clearances dated) with inverted postings for CPV codes at
// every level of the hierarchy, text terms with BM25 statistics, capability
// tags and certification schemes.
//
// Example:
//
//   procmatch::Options options;  // builtin CPV and NUTS lists, default limits
//   procmatch::SupplierIndex::Builder builder(options);
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
// The options given to the Builder are kept by the index and by every
// generation derived from it; the Matcher over an index uses them too.
//
// Threading: a built SupplierIndex is immutable and safe for concurrent use
// by multiple threads; share it through std::shared_ptr<const
// SupplierIndex>. A Builder is not thread-safe: use one per thread.
//
// Suppliers are held in order of their id, so a supplier's position (its
// "doc", 0 to size() - 1) also breaks score ties deterministically.
#ifndef PROCMATCH_LIB_SUPPLIER_INDEX_H_
#define PROCMATCH_LIB_SUPPLIER_INDEX_H_

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "procmatch/options.h"
#include "procmatch/v1/supplier.pb.h"
#include "procmatch/validation.h"

namespace procmatch {

namespace internal {
class IndexData;
struct IndexAccess;
struct SupplierDoc;
}  // namespace internal

class SupplierIndex {
 public:
  class Builder {
   public:
    // Validates and analyses with `options` (taxonomies, limits), which the
    // built index keeps.
    explicit Builder(Options options = {});
    ~Builder();
    // Holds every analysed profile until Build(): not copyable.
    Builder(const Builder&) = delete;
    Builder& operator=(const Builder&) = delete;

    // Validates `profile` and keeps it for Build(). On error (invalid
    // record, duplicate id) nothing is added and the status names the
    // supplier and field; the suppliers already added are kept.
    absl::Status Add(v1::SupplierProfile profile);

    int size() const { return static_cast<int>(profiles_.size()); }

    // Analyses the profiles (on options.build_threads threads) and builds
    // generation 1. The builder is consumed. Errors: a negative
    // build_threads (InvalidArgument); analysis of a validated profile does
    // not fail, but if it did, the first such supplier would be named.
    absl::StatusOr<std::shared_ptr<const SupplierIndex>> Build() &&;

   private:
    Options options_;
    Validator validator_;
    // A deque: growing it moves no profile (a vector's growth moved each
    // about once on average, on the caller's thread: a quarter of Add's
    // perf samples at 100k suppliers, issue 16); it allocates a node for
    // each, a profile being larger than a deque's block.
    std::deque<v1::SupplierProfile> profiles_;
    absl::flat_hash_set<std::string> ids_;
  };

  ~SupplierIndex();
  // Immutable and shared by pointer between readers: not copyable.
  SupplierIndex(const SupplierIndex&) = delete;
  SupplierIndex& operator=(const SupplierIndex&) = delete;

  // A new generation with `update` applied: upserts replace the profile with
  // the same id or add it, removed ids must exist. The update is validated
  // first, with this index's options; on error this index is unchanged and
  // nothing is applied. Only the changed profiles are analysed again; the
  // others are shared with this generation. Costs O(size of the index) for
  // the postings.
  absl::StatusOr<std::shared_ptr<const SupplierIndex>> ApplyUpdate(
      const v1::SupplierUpdate& update) const;

  int size() const;
  uint64_t generation() const;
  const Options& options() const;

  // The doc (0 to size() - 1) of the supplier with `id`, or -1.
  int FindDoc(absl::string_view id) const;
  // The profile at `doc`, as it was added. REQUIRES: 0 <= doc < size().
  // The index keeps profiles in their binary form, not as messages: each
  // call parses one (a few microseconds for a typical profile), so a caller
  // that reads a profile often keeps the returned copy.
  v1::SupplierProfile profile(int doc) const;
  // The id and the name of the supplier at `doc`, without parsing its
  // profile, valid as long as the index. REQUIRES: 0 <= doc < size().
  absl::string_view id(int doc) const;
  absl::string_view name(int doc) const;

 private:
  // The matcher and the snapshot code reach the postings and analysed
  // profiles through internal::IndexAccess (lib/internal/index_data.h).
  friend struct internal::IndexAccess;
  explicit SupplierIndex(std::unique_ptr<const internal::IndexData> data);

  std::unique_ptr<const internal::IndexData> data_;
};

}  // namespace procmatch

#endif  // PROCMATCH_LIB_SUPPLIER_INDEX_H_
