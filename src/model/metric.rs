//! The metrics a summary reports, each once: an enum per level (class, architecture, decision)
//! with its JSON name, which is also how a scenario's `[[slo]]`, `--metric`, summary.csv and
//! sweep.csv write it. Names are parsed into a [`Metric`] once, where they are read.

/// Declares a metric enum with its names, in report order.
macro_rules! metrics {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $text:literal,)* }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vdoc])* $variant,)*
        }

        impl $name {
            /// Every metric of this level, in the order reports list them.
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];

            /// The JSON name.
            pub fn name(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)*
                }
            }

            /// The metric with JSON name `name`, if there is one at this level.
            pub fn parse(name: &str) -> Option<$name> {
                Self::ALL.iter().copied().find(|m| m.name() == name)
            }

            /// Every name of this level, in order.
            pub fn names() -> impl Iterator<Item = &'static str> {
                Self::ALL.iter().map(|m| m.name())
            }
        }

        /// Written as its JSON name.
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.name())
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.name())
            }
        }
    };
}

metrics! {
    /// A metric of one traffic class in one architecture.
    ClassMetric {
        /// Fraction of time the class can be served.
        Availability = "availability",
        /// Fraction of requests answered rightly within the deadline.
        RequestSuccess = "request_success",
        /// Hours down per year.
        DowntimeHoursPerYear = "downtime_hours_per_year",
        /// Outages per year.
        OutagesPerYear = "outages_per_year",
        /// Blips per year.
        BlipsPerYear = "blips_per_year",
        /// Mean outage duration.
        MttrHours = "mttr_hours",
        /// Median outage duration.
        MttrHoursMedian = "mttr_hours.median",
        /// 90th percentile of outage duration.
        MttrHoursP90 = "mttr_hours.p90",
        /// Mean up time between outages.
        MtbfHours = "mtbf_hours",
        /// Longest outage in one horizon.
        LongestOutageHours = "longest_outage_hours",
        /// Downtime and failed-request cost per year.
        CostPerYear = "cost_per_year",
        /// Fraction of requests answered wrongly.
        SilentErrors = "silent_errors",
        /// Fraction of requests shed as overloaded.
        OverloadedRequests = "overloaded_requests",
        /// Extra attempts per request.
        RetriesPerRequest = "retries_per_request",
        /// Mean latency added by timeouts and retries.
        AddedLatencySeconds = "added_latency_seconds",
        /// Median added latency over requests.
        AddedLatencySecondsP50 = "added_latency_seconds.p50",
        /// 99th percentile of added latency over requests.
        AddedLatencySecondsP99 = "added_latency_seconds.p99",
        /// Breaker openings per year.
        BreakerOpensPerYear = "breaker_opens_per_year",
        /// Mean time to the first outage.
        TimeToFirstOutageHours = "time_to_first_outage_hours",
    }
}

metrics! {
    /// A metric of one architecture over all its classes.
    ArchitectureMetric {
        /// What failures cost per year.
        CostPerYear = "cost_per_year",
        /// Probability that an SLA period is breached.
        SlaBreachProbability = "sla_breach_probability",
        /// SLA credits per year.
        SlaCreditsPerYear = "sla_credits_per_year",
        /// Running cost per year.
        RunningCostPerYear = "running_cost_per_year",
        /// Fixed part of the running cost per year.
        FixedCostPerYear = "fixed_cost_per_year",
        /// Prices per request, per year.
        RequestCostPerYear = "request_cost_per_year",
        /// Downtime cost per year.
        DowntimeCostPerYear = "downtime_cost_per_year",
        /// Failed-request cost per year.
        FailedRequestCostPerYear = "failed_request_cost_per_year",
        /// Running plus failure cost per year.
        TotalCostPerYear = "total_cost_per_year",
        /// Hours down per year, the classes weighed as the decision weighs them.
        WeightedDowntimeHoursPerYear = "weighted_downtime_hours_per_year",
    }
}

metrics! {
    /// A metric of the decision, per architecture other than the baseline (against it).
    DecisionMetric {
        /// Net benefit per year against the baseline.
        NetBenefitPerYear = "net_benefit_per_year",
        /// The price of an hour down at which the architecture breaks even with the baseline.
        BreakEvenCostPerHourDown = "break_even_cost_per_hour_down",
    }
}

impl ClassMetric {
    /// Whether it is a quantile (`mttr_hours.median`, `added_latency_seconds.p99`, ...), whose
    /// interval is not symmetric about its value.
    pub fn is_quantile(self) -> bool {
        self.name().contains('.')
    }

    /// Whether it is reported as a point value without a confidence interval (quantiles pooled
    /// over all requests): `relsim check` cannot judge a bound on it.
    pub fn has_interval(self) -> bool {
        !matches!(self, ClassMetric::AddedLatencySecondsP50 | ClassMetric::AddedLatencySecondsP99)
    }
}

/// A metric at any level: what an `[[slo]]` bounds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Metric {
    /// Per architecture and class.
    Class(ClassMetric),
    /// Per architecture.
    Architecture(ArchitectureMetric),
    /// Per architecture against the baseline.
    Decision(DecisionMetric),
}

impl Metric {
    /// The JSON name.
    pub fn name(self) -> &'static str {
        match self {
            Metric::Class(m) => m.name(),
            Metric::Architecture(m) => m.name(),
            Metric::Decision(m) => m.name(),
        }
    }

    /// The architecture-level metric (architecture or decision) named `name`.
    pub fn parse_architecture_level(name: &str) -> Option<Metric> {
        ArchitectureMetric::parse(name).map(Metric::Architecture).or_else(|| DecisionMetric::parse(name).map(Metric::Decision))
    }

    /// The architecture-level metrics: the architecture's own, then the decision's.
    pub fn architecture_level() -> impl Iterator<Item = Metric> {
        ArchitectureMetric::ALL.iter().map(|&m| Metric::Architecture(m)).chain(DecisionMetric::ALL.iter().map(|&m| Metric::Decision(m)))
    }

    /// The names of the architecture-level metrics (architecture, then decision).
    pub fn architecture_level_names() -> impl Iterator<Item = &'static str> {
        Self::architecture_level().map(Metric::name)
    }

    /// Whether it is a fraction from 0 to 1 (an SLO bound above 1 on one is a percentage by
    /// mistake).
    pub fn is_fraction(self) -> bool {
        use ClassMetric as C;
        matches!(
            self,
            Metric::Class(C::Availability | C::RequestSuccess | C::SilentErrors | C::OverloadedRequests)
                | Metric::Architecture(ArchitectureMetric::SlaBreachProbability)
        )
    }

    /// Whether it is money (per year, or per hour down).
    pub fn is_money(self) -> bool {
        match self {
            Metric::Class(m) => m == ClassMetric::CostPerYear,
            Metric::Architecture(m) => m.name().ends_with("cost_per_year") || m == ArchitectureMetric::SlaCreditsPerYear,
            Metric::Decision(_) => true,
        }
    }

    /// Whether it needs an `[sla]`.
    pub fn needs_sla(self) -> bool {
        matches!(self, Metric::Architecture(ArchitectureMetric::SlaBreachProbability | ArchitectureMetric::SlaCreditsPerYear))
    }

    /// Whether it has a confidence interval (see [`ClassMetric::has_interval`]).
    pub fn has_interval(self) -> bool {
        match self {
            Metric::Class(m) => m.has_interval(),
            _ => true,
        }
    }

    /// Whether it is a quantile (see [`ClassMetric::is_quantile`]).
    pub fn is_quantile(self) -> bool {
        matches!(self, Metric::Class(m) if m.is_quantile())
    }
}

impl std::fmt::Display for Metric {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_back() {
        for &m in ClassMetric::ALL {
            assert_eq!(ClassMetric::parse(m.name()), Some(m));
        }
        for &m in ArchitectureMetric::ALL {
            assert_eq!(Metric::parse_architecture_level(m.name()), Some(Metric::Architecture(m)));
        }
        for &m in DecisionMetric::ALL {
            assert_eq!(Metric::parse_architecture_level(m.name()), Some(Metric::Decision(m)));
        }
        assert_eq!(ClassMetric::parse("nonsense"), None);
    }
}
