-- The PCA outputs agree with each other and with linear algebra: the eigenvalues of a
-- correlation matrix add up to its trace, the number of indicators; the composite weights of
-- the kept components add up to 1; the loadings of an indicator on all components have
-- squares adding up to 1 (its standardized variance); the number of kept components matches
-- the scores table. Returns the offending systems.
-- Shown in Dagster as an asset check of index_pca_eigenvalues: the test reads several models, so
-- its config names the one it guards (dagster-dbt's meta.dagster.ref).
{{ config(meta={'dagster': {'ref': {'name': 'index_pca_eigenvalues'}}}) }}

with

eigen as (

    select
        system,
        sum(eigenvalue) as eigenvalue_total,
        count(*) as n_components,
        coalesce(sum(composite_weight), 0) as composite_weight_total,
        count(*) filter (where kept) as n_kept
    from {{ ref('index_pca_eigenvalues') }}
    group by system

),

loadings as (

    select system, indicator_code, sum(loading * loading) as loading_square_total
    from {{ ref('index_pca_loadings') }}
    group by system, indicator_code

),

adequacy as (

    select * from {{ ref('index_pca_adequacy') }}

),

scores as (

    select system, min(n_components) as n_min, max(n_components) as n_max
    from {{ ref('index_pca_scores') }}
    group by system

)

select eigen.system, 'eigenvalues do not add up to the number of indicators' as problem
from eigen
inner join adequacy
    on eigen.system = adequacy.system
where abs(eigen.eigenvalue_total - adequacy.n_indicators) > 1e-6
    or eigen.n_components <> adequacy.n_indicators

union all

select system, 'composite weights do not add up to 1'
from eigen
where abs(composite_weight_total - 1) > 1e-9

union all

select system, 'squared loadings of ' || indicator_code || ' do not add up to 1'
from loadings
where abs(loading_square_total - 1) > 1e-6

union all

select eigen.system, 'kept components differ between eigenvalues, adequacy and scores'
from eigen
inner join adequacy
    on eigen.system = adequacy.system
inner join scores
    on eigen.system = scores.system
where eigen.n_kept <> adequacy.n_components
    or scores.n_min <> eigen.n_kept
    or scores.n_max <> eigen.n_kept
