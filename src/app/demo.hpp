#pragma once
// `serve --demo`: a demo org for a first look, provisioned only into an empty data dir.
// Its agents get random passwords, printed once; no fixed password exists anywhere.
#include <ostream>

#include "account/password_hasher.hpp"
#include "acd/directory.hpp"
#include "core/clock.hpp"
#include "core/result.hpp"

namespace sb::app {

// Provisions when the directory is empty and prints the credentials to `out`; returns
// false (and prints a reminder) when data was already there.
core::Result<bool> provisionDemo(acd::DirectoryStore& directory, const account::PasswordHasher& hasher,
                                 const core::Clock& clock, std::ostream& out);

}  // namespace sb::app
