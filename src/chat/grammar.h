// Schema-constrained decoding, everything in one include: compile a JSON
// Schema (or JSON mode), build a TokenTrie per vocabulary, run a JsonConstraint per sequence.
#pragma once
#include "chat/grammar_constraint.h"
#include "chat/grammar_token_trie.h"
#include "chat/json_schema.h"
