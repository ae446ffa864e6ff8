#pragma once
// iai version, kept in step with project(VERSION) in the top-level CMakeLists.txt.
#define IAI_VERSION_MAJOR 0
#define IAI_VERSION_MINOR 1
#define IAI_VERSION_PATCH 0
