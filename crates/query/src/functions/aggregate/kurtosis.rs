//! `kurtosis(x) → double` (Trino, not in the guide): excess kurtosis of the non-NULL inputs,
//! unbiased estimator `(n-1)n(n+1)/((n-2)(n-3))·m4/m2² − 3(n-1)²/((n-2)(n-3))`; fewer than 4
//! values → NULL (timestream-functions.md §10). Not in DataFusion.

use super::moments::{CentralMoments, Finish};

pub fn kurtosis() -> CentralMoments {
    CentralMoments::new("kurtosis", Finish::Kurtosis)
}
