//! The execution plan of one table scan: the memory tier's batches and the magnetic tier's
//! slices of a [`TableSnapshot`], dealt over the session's partitions. Each partition runs on a
//! blocking thread (SQLite reads block) and sends its batches through a small channel, so a
//! magnetic scan streams: a few chunks in flight, never the whole range in memory, and it stops
//! as soon as the query is dropped (cancelled, timed out, or satisfied by a LIMIT).

use std::sync::{Arc, Mutex};

use datafusion::arrow::datatypes::SchemaRef;
use datafusion::common::tree_node::TreeNodeRecursion;
use datafusion::common::{DataFusionError, Result};
use datafusion::execution::TaskContext;
use datafusion::physical_expr::{EquivalenceProperties, PhysicalExpr};
use datafusion::physical_plan::execution_plan::{Boundedness, EmissionType};
use datafusion::physical_plan::stream::RecordBatchReceiverStream;
use datafusion::physical_plan::{
    DisplayAs, DisplayFormatType, ExecutionPlan, Partitioning, PlanProperties,
    SendableRecordBatchStream,
};
use engine::{MagneticSlice, SnapshotBatch, TableSnapshot};

use crate::provider::{Converter, ScanLog};

/// Batches in flight per partition between the reading thread and the plan above.
const CHANNEL_BATCHES: usize = 2;

/// One partition's share of a snapshot.
struct Share {
    memory: Vec<SnapshotBatch>,
    /// Taken by the one execution that reads it (it holds a read transaction).
    magnetic: Mutex<Option<MagneticSlice>>,
    has_magnetic: bool,
}

pub(crate) struct TimestreamScan {
    table: String,
    converter: Arc<Converter>,
    shares: Vec<Share>,
    properties: Arc<PlanProperties>,
    /// Where the bytes read are added up (the scan's entry `scan_index` of the log).
    scans: ScanLog,
    scan_index: usize,
}

impl std::fmt::Debug for TimestreamScan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TimestreamScan")
            .field("table", &self.table)
            .field("partitions", &self.shares.len())
            .finish_non_exhaustive()
    }
}

impl TimestreamScan {
    /// Deals `snapshot` over `partitions` partitions: memory batches round robin, one magnetic
    /// slice each (the snapshot has at most that many).
    pub(crate) fn new(
        table: String,
        snapshot: TableSnapshot,
        converter: Converter,
        partitions: usize,
        scans: ScanLog,
        scan_index: usize,
    ) -> Self {
        let n = partitions.max(1);
        let mut memory: Vec<Vec<SnapshotBatch>> = vec![Vec::new(); n];
        for (i, batch) in snapshot.batches.into_iter().enumerate() {
            memory[i % n].push(batch);
        }
        let mut magnetic: Vec<Option<MagneticSlice>> = (0..n).map(|_| None).collect();
        for (i, slice) in snapshot.magnetic.into_iter().enumerate() {
            magnetic[i % n] = Some(slice);
        }
        let shares: Vec<Share> = memory
            .into_iter()
            .zip(magnetic)
            .map(|(memory, magnetic)| Share {
                memory,
                has_magnetic: magnetic.is_some(),
                magnetic: Mutex::new(magnetic),
            })
            .collect();
        let properties = PlanProperties::new(
            EquivalenceProperties::new(converter.schema()),
            Partitioning::UnknownPartitioning(shares.len()),
            EmissionType::Incremental,
            Boundedness::Bounded,
        );
        Self {
            table,
            converter: Arc::new(converter),
            shares,
            properties: Arc::new(properties),
            scans,
            scan_index,
        }
    }
}

impl DisplayAs for TimestreamScan {
    fn fmt_as(&self, _t: DisplayFormatType, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        write!(f, "TimestreamScan: table={}", self.table)
    }
}

impl ExecutionPlan for TimestreamScan {
    fn name(&self) -> &'static str {
        "TimestreamScan"
    }

    fn schema(&self) -> SchemaRef {
        self.converter.schema()
    }

    fn properties(&self) -> &Arc<PlanProperties> {
        &self.properties
    }

    fn children(&self) -> Vec<&Arc<dyn ExecutionPlan>> {
        vec![]
    }

    fn apply_expressions(
        &self,
        _f: &mut dyn FnMut(&Arc<dyn PhysicalExpr>) -> Result<TreeNodeRecursion>,
    ) -> Result<TreeNodeRecursion> {
        Ok(TreeNodeRecursion::Continue)
    }

    fn with_new_children(
        self: Arc<Self>,
        _children: Vec<Arc<dyn ExecutionPlan>>,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        Ok(self)
    }

    fn execute(
        &self,
        partition: usize,
        _context: Arc<TaskContext>,
    ) -> Result<SendableRecordBatchStream> {
        let share = self.shares.get(partition).ok_or_else(|| {
            DataFusionError::Internal(format!("TimestreamScan has no partition {partition}"))
        })?;
        let magnetic = share
            .magnetic
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        if share.has_magnetic && magnetic.is_none() {
            // Never a partial answer: a second run would miss the magnetic records.
            return Err(DataFusionError::Internal(format!(
                "TimestreamScan partition {partition} executed twice"
            )));
        }
        let memory = share.memory.clone();
        let converter = self.converter.clone();
        let scans = self.scans.clone();
        let scan_index = self.scan_index;
        let mut builder = RecordBatchReceiverStream::builder(converter.schema(), CHANNEL_BATCHES);
        let tx = builder.tx();
        builder.spawn_blocking(move || {
            for part in &memory {
                let live = part.live.as_ref().map(|l| l.as_slice());
                if let Some(batch) = converter.convert(&part.batch, live)? {
                    if tx.blocking_send(Ok(batch)).is_err() {
                        return Ok(());
                    }
                }
            }
            let Some(slice) = magnetic else {
                return Ok(());
            };
            let mut failed = None;
            slice
                .read(
                    converter.series_mask(),
                    || !tx.is_closed(),
                    |chunk, bytes| {
                        if let Some(entry) = scans
                            .lock()
                            .unwrap_or_else(|p| p.into_inner())
                            .get_mut(scan_index)
                        {
                            entry.bytes += bytes;
                        }
                        match converter.convert(&chunk, None) {
                            Ok(Some(batch)) => tx.blocking_send(Ok(batch)).is_ok(),
                            Ok(None) => true,
                            Err(e) => {
                                failed = Some(e);
                                false
                            }
                        }
                    },
                )
                .map_err(|e| DataFusionError::External(Box::new(e)))?;
            failed.map_or(Ok(()), Err)
        });
        Ok(builder.build())
    }
}
