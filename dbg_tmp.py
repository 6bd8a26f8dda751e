from trie import HexaryTrie
from eth.db.backends.memory import MemoryDB
from chain.backend.compiled_trie import CompiledHexaryTrie
for mid in (False, True):
    a = HexaryTrie(MemoryDB()); b = CompiledHexaryTrie({})
    for t in (a, b):
        t[b"\x00"] = b"\x80"
        if mid: t.root_hash
        t[b"\x00\x00"] = b"\x00"
    print(mid, a.root_hash.hex(), b.root_hash.hex())
a = HexaryTrie(MemoryDB()); b = CompiledHexaryTrie({})
for t in (a,b):
    t[b"\x00"] = b"\x80"; t[b"\x00\x00"] = b"\x00"
    print(t.root_hash.hex(), t[b"\x00"], t[b"\x00\x00"])
