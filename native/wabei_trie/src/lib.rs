//! `wabei_trie.Trie`: an Ethereum Merkle-Patricia trie (ethereum/eth-trie.rs) whose nodes live
//! in a Python mapping keyed by keccak(node), for py-evm's account and storage tries.
//!
//! The Python side (chain/backend/compiled_trie.py) gives it py-trie's HexaryTrie surface; this
//! file only moves bytes. Nodes, roots and the database layout are py-trie's: the node encoding is
//! Ethereum's, short nodes are inlined, the root is always stored by hash, and the empty root is
//! never stored.
mod pydb;

use std::sync::Arc;

use eth_trie::{EthTrie, Trie as _, TrieError};
use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use pydb::{PyDb, BLANK_ROOT};

create_exception!(wabei_trie, MissingNode, PyException, "A trie node is not in the database: args[0] is its hash.");

// Send (not `unsendable`): a state built on a call worker may be dropped by the loop thread's
// collector, and an unsendable object then raises there. One trie is used by one state at a time.
#[pyclass(module = "wabei_trie")]
struct Trie {
    db: Arc<PyDb>,
    /// Built on first use, so a root can be named before its nodes are read (py-trie does so).
    trie: Option<EthTrie<PyDb>>,
    root: [u8; 32],
    /// Changes since the last commit: `root` is stale until `root_hash` is read.
    dirty: bool,
}

fn to_root(raw: &[u8]) -> PyResult<[u8; 32]> {
    raw.try_into().map_err(|_| PyValueError::new_err(format!("a trie root is 32 bytes, got {}", raw.len())))
}

impl Trie {
    fn fail(&self, err: TrieError) -> PyErr {
        match err {
            TrieError::MissingTrieNode { node_hash, .. } => MissingNode::new_err(node_hash.to_vec()),
            TrieError::DB(_) => match self.db.error.lock().unwrap().take() {
                Some(e) => e,
                None => PyRuntimeError::new_err("trie database error"),
            },
            other => PyRuntimeError::new_err(format!("{other} ({other:?})")),
        }
    }

    fn trie(&mut self) -> PyResult<&mut EthTrie<PyDb>> {
        if self.trie.is_none() {
            let trie = if self.root == BLANK_ROOT {
                EthTrie::new(self.db.clone())
            } else {
                match EthTrie::from(self.db.clone(), self.root.into()) {
                    Ok(t) => t,
                    Err(TrieError::InvalidStateRoot) => return Err(MissingNode::new_err(self.root.to_vec())),
                    Err(e) => return Err(self.fail(e)),
                }
            };
            self.trie = Some(trie);
        }
        Ok(self.trie.as_mut().expect("just built"))
    }

    fn commit(&mut self) -> PyResult<()> {
        if self.dirty {
            let result = self.trie()?.root_hash();
            let root = result.map_err(|e| self.fail(e))?;
            self.root = root.0;
            self.dirty = false;
        }
        Ok(())
    }
}

#[pymethods]
impl Trie {
    #[new]
    fn new(db: Py<PyAny>, root_hash: &[u8]) -> PyResult<Self> {
        Ok(Trie { db: Arc::new(PyDb::new(db)), trie: None, root: to_root(root_hash)?, dirty: false })
    }

    /// The value at `key`, b"" when absent (py-trie's convention).
    fn get<'py>(&mut self, py: Python<'py>, key: &[u8]) -> PyResult<Bound<'py, PyBytes>> {
        let result = self.trie()?.get(key);
        let value = result.map_err(|e| self.fail(e))?;
        Ok(PyBytes::new(py, value.as_deref().unwrap_or(b"")))
    }

    /// Set `key` to `value`; an empty value deletes, as in py-trie.
    fn set(&mut self, key: &[u8], value: &[u8]) -> PyResult<()> {
        let result = self.trie()?.insert(key, value);
        result.map_err(|e| self.fail(e))?;
        self.dirty = true;
        Ok(())
    }

    fn delete(&mut self, key: &[u8]) -> PyResult<()> {
        let result = self.trie()?.remove(key);
        result.map_err(|e| self.fail(e))?;
        self.dirty = true;
        Ok(())
    }

    /// The root after every change so far (encodes the changed nodes into the overlay).
    #[getter]
    fn get_root_hash<'py>(&mut self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        self.commit()?;
        Ok(PyBytes::new(py, &self.root))
    }

    /// Move to another root. Changes so far are committed into the overlay first: py-trie has
    /// written them by now, so moving back to that root later must find its nodes.
    #[setter]
    fn set_root_hash(&mut self, root_hash: &[u8]) -> PyResult<()> {
        let root = to_root(root_hash)?;
        self.commit()?;
        self.root = root;
        self.trie = None;
        self.dirty = false;
        Ok(())
    }

    /// Write the new nodes the current root reaches into the mapping; returns how many.
    fn flush(&mut self, py: Python<'_>) -> PyResult<usize> {
        self.commit()?;
        self.db.flush(py, &self.root)
    }

    /// True when the node `key` is in the overlay or the mapping.
    fn has_node(&self, py: Python<'_>, key: &[u8]) -> PyResult<bool> {
        self.db.has(py, key)
    }

    /// The mapping nodes are read from and flushed to.
    #[getter]
    fn db(&self, py: Python<'_>) -> Py<PyAny> {
        self.db.mapping().clone_ref(py)
    }
}

#[pymodule]
fn wabei_trie(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Trie>()?;
    m.add("MissingNode", m.py().get_type::<MissingNode>())?;
    Ok(())
}
