#pragma once
// The schema of switchboard.db as numbered migrations, applied in order by
// Database::open. A released migration is never edited: a change is a new one.
#include <span>

#include "store/database.hpp"

namespace sb::store {

std::span<const Migration> schemaMigrations();

}  // namespace sb::store
