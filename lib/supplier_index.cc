#include "procmatch/supplier_index.h"

#include <algorithm>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "procmatch/internal/index_data.h"

namespace procmatch {

using internal::IndexAccess;
using internal::IndexData;
using internal::SupplierDoc;

SupplierIndex::Builder::Builder(Options options)
    : options_(options), validator_(options_) {}

SupplierIndex::Builder::~Builder() = default;

absl::Status SupplierIndex::Builder::Add(v1::SupplierProfile profile) {
  absl::Status valid = validator_.ValidateSupplier(profile);
  if (!valid.ok()) return valid;
  if (ids_.contains(profile.id())) {
    return absl::AlreadyExistsError(
        absl::StrCat("supplier \"", profile.id(), "\": id: added twice"));
  }
  ids_.insert(profile.id());
  profiles_.push_back(std::move(profile));
  return absl::OkStatus();
}

absl::StatusOr<std::shared_ptr<const SupplierIndex>>
SupplierIndex::Builder::Build() && {
  absl::flat_hash_map<std::string, uint32_t> vocabulary;
  absl::StatusOr<std::vector<std::shared_ptr<const SupplierDoc>>> docs =
      internal::AnalyzeSuppliers(std::move(profiles_), options_, &vocabulary);
  if (!docs.ok()) return docs.status();
  return IndexAccess::Assemble(*std::move(docs),
                               internal::DictionaryOf(vocabulary), 1, options_);
}

SupplierIndex::SupplierIndex(std::unique_ptr<const IndexData> data)
    : data_(std::move(data)) {}

SupplierIndex::~SupplierIndex() = default;

int SupplierIndex::size() const { return data_->size(); }
uint64_t SupplierIndex::generation() const { return data_->generation(); }
const Options& SupplierIndex::options() const { return data_->options(); }
int SupplierIndex::FindDoc(absl::string_view id) const {
  return data_->FindDoc(id);
}
v1::SupplierProfile SupplierIndex::profile(int doc) const {
  return data_->doc(doc).Profile();
}
absl::string_view SupplierIndex::id(int doc) const {
  return data_->doc(doc).parts.id();
}
absl::string_view SupplierIndex::name(int doc) const {
  return data_->doc(doc).parts.name();
}

absl::StatusOr<std::shared_ptr<const SupplierIndex>> SupplierIndex::ApplyUpdate(
    const v1::SupplierUpdate& update) const {
  const IndexData& data = *data_;
  Validator validator(data.options());
  absl::Status valid = validator.ValidateSupplierUpdate(update);
  if (!valid.ok()) return valid;
  for (const std::string& id : update.removed_ids()) {
    if (data.FindDoc(id) < 0) {
      return absl::NotFoundError(
          absl::StrCat("supplier update: removed_ids: no supplier \"", id,
                       "\" in the index"));
    }
  }
  absl::flat_hash_map<std::string, const v1::SupplierProfile*> replaced;
  for (const v1::SupplierProfile& p : update.upserts()) replaced[p.id()] = &p;
  for (const std::string& id : update.removed_ids()) replaced[id] = nullptr;

  absl::flat_hash_map<std::string, uint32_t> vocabulary;
  const std::vector<absl::string_view> terms = data.Vocabulary();
  vocabulary.reserve(terms.size());
  for (size_t i = 0; i < terms.size(); ++i) {
    vocabulary.emplace(std::string(terms[i]), static_cast<uint32_t>(i));
  }
  std::vector<std::shared_ptr<const SupplierDoc>> docs;
  docs.reserve(data.size() + update.upserts_size());
  for (int d = 0; d < data.size(); ++d) {
    if (!replaced.contains(data.doc(d).parts.id())) {
      docs.push_back(data.shared_doc(d));
    }
  }
  absl::StatusOr<std::vector<std::shared_ptr<const SupplierDoc>>> upserts =
      internal::AnalyzeSuppliers(
          {update.upserts().begin(), update.upserts().end()}, data.options(),
          &vocabulary);
  if (!upserts.ok()) return upserts.status();
  for (auto& doc : *upserts) docs.push_back(std::move(doc));
  return IndexAccess::Assemble(std::move(docs),
                               internal::DictionaryOf(vocabulary),
                               data.generation() + 1, data.options());
}

}  // namespace procmatch
