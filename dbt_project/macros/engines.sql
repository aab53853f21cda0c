{#-
    SQL that DuckDB and Spark SQL spell differently, one macro per construct, dispatched on the
    adapter (adapter.dispatch: duckdb__x and spark__x side by side). The models stay one set:
    they call these macros where the dialects differ, and the duckdb__ implementations render
    exactly the text the models had before (the DuckDB build is tuned; `dbt compile` on the
    duckdb target is unchanged but for whitespace). The spark__ ones are for Spark 4.x with
    spark.sql.parser.escapedStringLiterals = true (profiles.yml), so regular expressions are
    written once, with single backslashes, as DuckDB reads them.
    Arguments are SQL text (expressions as strings); lists of expressions are Jinja lists.
-#}

{#- The unbounded text type: DuckDB VARCHAR; Spark needs a length for VARCHAR, so STRING. -#}
{% macro string_type() -%}
    {{ return(adapter.dispatch('string_type', 'dri')()) }}
{%- endmacro %}
{% macro duckdb__string_type() %}{{ return('varchar') }}{% endmacro %}
{% macro spark__string_type() %}{{ return('string') }}{% endmacro %}


{#-
    `name as <hint>(...)`: DuckDB's CTE materialization hint ('not materialized ' or
    'materialized ', with the trailing space); Spark has none (its optimizer inlines CTEs, and
    reuses a subplan read twice by itself).
-#}
{% macro cte_hint(hint) -%}
    {{ return(adapter.dispatch('cte_hint', 'dri')(hint)) }}
{%- endmacro %}
{% macro duckdb__cte_hint(hint) %}{{ return(hint ~ ' ') }}{% endmacro %}
{% macro spark__cte_hint(hint) %}{{ return('') }}{% endmacro %}


{#- Replace every match (DuckDB replaces the first unless 'g'; Spark always replaces all). -#}
{% macro regexp_replace_all(text, pattern, replacement) -%}
    {{ return(adapter.dispatch('regexp_replace_all', 'dri')(text, pattern, replacement)) }}
{%- endmacro %}
{% macro duckdb__regexp_replace_all(text, pattern, replacement) -%}
    regexp_replace({{ text }}, {{ pattern }}, {{ replacement }}, 'g')
{%- endmacro %}
{% macro spark__regexp_replace_all(text, pattern, replacement) -%}
    regexp_replace({{ text }}, {{ pattern }}, {{ replacement }})
{%- endmacro %}


{#- The whole match ('' when none): DuckDB's default group is 0, Spark's is 1. -#}
{% macro regexp_match_text(text, pattern) -%}
    {{ return(adapter.dispatch('regexp_match_text', 'dri')(text, pattern)) }}
{%- endmacro %}
{% macro duckdb__regexp_match_text(text, pattern) -%}
    regexp_extract(
            {{ text }}, {{ pattern }}
        )
{%- endmacro %}
{% macro spark__regexp_match_text(text, pattern) -%}
    regexp_extract({{ text }}, {{ pattern }}, 0)
{%- endmacro %}


{#-
    The capture groups of a pattern as a struct with the given field names ('' for a group
    that did not take part, on both engines).
-#}
{% macro regexp_groups(text, pattern, names) -%}
    {{ return(adapter.dispatch('regexp_groups', 'dri')(text, pattern, names)) }}
{%- endmacro %}
{% macro duckdb__regexp_groups(text, pattern, names) -%}
    regexp_extract(
            {{ text }},
            {{ pattern }},
            [{% for name in names %}'{{ name }}'{{ ', ' if not loop.last }}{% endfor %}]
        )
{%- endmacro %}
{% macro spark__regexp_groups(text, pattern, names) -%}
    named_struct(
        {%- for name in names %}
        '{{ name }}', regexp_extract({{ text }}, {{ pattern }}, {{ loop.index }}){{ ',' if not loop.last }}
        {%- endfor %}
    )
{%- endmacro %}


{#- The pattern matches the whole text. -#}
{% macro regexp_full_match(text, pattern) -%}
    {{ return(adapter.dispatch('regexp_full_match', 'dri')(text, pattern)) }}
{%- endmacro %}
{% macro duckdb__regexp_full_match(text, pattern) -%}
    regexp_full_match({{ text }}, {{ pattern }})
{%- endmacro %}
{% macro spark__regexp_full_match(text, pattern) -%}
    regexp_like({{ text }}, concat('^(?:', {{ pattern }}, ')$'))
{%- endmacro %}


{#- The pattern matches somewhere in the text. -#}
{% macro regexp_contains(text, pattern) -%}
    {{ return(adapter.dispatch('regexp_contains', 'dri')(text, pattern)) }}
{%- endmacro %}
{% macro duckdb__regexp_contains(text, pattern) -%}
    regexp_matches({{ text }}, {{ pattern }})
{%- endmacro %}
{% macro spark__regexp_contains(text, pattern) -%}
    regexp_like({{ text }}, {{ pattern }})
{%- endmacro %}


{#- Strip the given characters from the end (Spark's two-argument rtrim takes them first). -#}
{% macro rtrim_chars(text, characters) -%}
    {{ return(adapter.dispatch('rtrim_chars', 'dri')(text, characters)) }}
{%- endmacro %}
{% macro duckdb__rtrim_chars(text, characters) -%}
    rtrim({{ text }}, {{ characters }})
{%- endmacro %}
{% macro spark__rtrim_chars(text, characters) -%}
    trim(trailing {{ characters }} from {{ text }})
{%- endmacro %}


{#- The value of the row with the smallest key; `keys`: a list of expressions, compared in order. -#}
{% macro arg_min_list(value, keys) -%}
    {{ return(adapter.dispatch('arg_min_list', 'dri')(value, keys)) }}
{%- endmacro %}
{% macro duckdb__arg_min_list(value, keys) -%}
    arg_min({{ value }}, [{{ keys | join(', ') }}])
{%- endmacro %}
{% macro spark__arg_min_list(value, keys) -%}
    min_by({{ value }}, array({{ keys | join(', ') }}))
{%- endmacro %}


{#- Aggregate: the distinct values, sorted, as a list. -#}
{% macro list_distinct_sorted(expression) -%}
    {{ return(adapter.dispatch('list_distinct_sorted', 'dri')(expression)) }}
{%- endmacro %}
{% macro duckdb__list_distinct_sorted(expression) -%}
    list(distinct {{ expression }} order by {{ expression }})
{%- endmacro %}
{% macro spark__list_distinct_sorted(expression) -%}
    array_sort(collect_set({{ expression }}))
{%- endmacro %}


{#- Aggregate: the distinct texts, sorted, joined with `separator`. -#}
{% macro string_agg_distinct_sorted(expression, separator) -%}
    {{ return(adapter.dispatch('string_agg_distinct_sorted', 'dri')(expression, separator)) }}
{%- endmacro %}
{% macro duckdb__string_agg_distinct_sorted(expression, separator) -%}
    string_agg(distinct {{ expression }}, {{ separator }} order by {{ expression }})
{%- endmacro %}
{% macro spark__string_agg_distinct_sorted(expression, separator) -%}
    array_join(array_sort(collect_set({{ expression }})), {{ separator }})
{%- endmacro %}


{#-
    Aggregate: sum of a DOUBLE expression added in the order of `order_by` (one order, so a
    rebuild reproduces it bit for bit). Spark has no ordered aggregates: the terms are collected
    with their key, sorted and folded left to right, the same additions in the same order.
-#}
{% macro ordered_sum(expression, order_by) -%}
    {{ return(adapter.dispatch('ordered_sum', 'dri')(expression, order_by)) }}
{%- endmacro %}
{% macro duckdb__ordered_sum(expression, order_by) -%}
    sum({{ expression }} order by {{ order_by }})
{%- endmacro %}
{% macro spark__ordered_sum(expression, order_by) -%}
    aggregate(
        array_sort(collect_list(struct({{ order_by }} as k, cast({{ expression }} as double) as v))),
        cast(0 as double),
        (acc, x) -> acc + x.v
    )
{%- endmacro %}


{#- A row number with no order that matters (Spark requires one: `order_by`). -#}
{% macro row_number_any(order_by) -%}
    {{ return(adapter.dispatch('row_number_any', 'dri')(order_by)) }}
{%- endmacro %}
{% macro duckdb__row_number_any(order_by) -%}
    row_number() over ()
{%- endmacro %}
{% macro spark__row_number_any(order_by) -%}
    row_number() over (order by {{ order_by }})
{%- endmacro %}


{#- `relation.* exclude (...)` (DuckDB) / `relation.* except (...)` (Spark). -#}
{% macro star_except(relation, columns) -%}
    {{ return(adapter.dispatch('star_except', 'dri')(relation, columns)) }}
{%- endmacro %}
{% macro duckdb__star_except(relation, columns) -%}
    {{ relation }}.* exclude ({{ columns | join(', ') }})
{%- endmacro %}
{% macro spark__star_except(relation, columns) -%}
    {{ relation }}.* except ({{ columns | join(', ') }})
{%- endmacro %}


{#- Lists: literal, integer range [start, stop), comprehension, concatenation, distinct, unnest. -#}
{% macro list_of(items) -%}
    {{ return(adapter.dispatch('list_of', 'dri')(items)) }}
{%- endmacro %}
{% macro duckdb__list_of(items) %}[{{ items | join(', ') }}]{% endmacro %}
{% macro spark__list_of(items) %}array({{ items | join(', ') }}){% endmacro %}

{% macro int_range(start, stop) -%}
    {{ return(adapter.dispatch('int_range', 'dri')(start, stop)) }}
{%- endmacro %}
{% macro duckdb__int_range(start, stop) %}range({{ start }}, {{ stop }}){% endmacro %}
{#- sequence() counts down when stop < start: the callers' ranges are never empty -#}
{% macro spark__int_range(start, stop) %}sequence({{ start }}, {{ stop }} - 1){% endmacro %}

{#- [expression for variable in list if condition] -#}
{% macro list_comprehension(variable, list, expression=none, condition=none) -%}
    {{ return(adapter.dispatch('list_comprehension', 'dri')(variable, list, expression, condition)) }}
{%- endmacro %}
{% macro duckdb__list_comprehension(variable, list, expression, condition) -%}
    [{{ expression if expression is not none else variable }} for {{ variable }} in {{ list }}
    {%- if condition is not none %}
            if {{ condition }}
    {%- endif %}]
{%- endmacro %}
{% macro spark__list_comprehension(variable, list, expression, condition) -%}
    {%- set filtered -%}
        {%- if condition is not none -%}
            filter({{ list }}, {{ variable }} -> {{ condition }})
        {%- else -%}
            {{ list }}
        {%- endif -%}
    {%- endset -%}
    {%- if expression is not none and expression != variable -%}
        transform({{ filtered }}, {{ variable }} -> {{ expression }})
    {%- else -%}
        {{ filtered }}
    {%- endif -%}
{%- endmacro %}

{% macro list_concat(left, right) -%}
    {{ return(adapter.dispatch('list_concat', 'dri')(left, right)) }}
{%- endmacro %}
{% macro duckdb__list_concat(left, right) %}{{ left }} || {{ right }}{% endmacro %}
{% macro spark__list_concat(left, right) %}concat({{ left }}, {{ right }}){% endmacro %}

{% macro list_distinct(list) -%}
    {{ return(adapter.dispatch('list_distinct', 'dri')(list)) }}
{%- endmacro %}
{% macro duckdb__list_distinct(list) %}list_distinct({{ list }}){% endmacro %}
{% macro spark__list_distinct(list) %}array_distinct({{ list }}){% endmacro %}

{#- one row per element, in the SELECT list -#}
{% macro unnest_list(list) -%}
    {{ return(adapter.dispatch('unnest_list', 'dri')(list)) }}
{%- endmacro %}
{% macro duckdb__unnest_list(list) %}unnest({{ list }}){% endmacro %}
{% macro spark__unnest_list(list) %}explode({{ list }}){% endmacro %}


{#-
    `union all` of relations with the same columns: DuckDB matches them by name; Spark SQL has
    no BY NAME, so there the selects must list their columns in the same order (they do where
    this is used).
-#}
{% macro union_all_by_name() -%}
    {{ return(adapter.dispatch('union_all_by_name', 'dri')()) }}
{%- endmacro %}
{% macro duckdb__union_all_by_name() %}union all by name{% endmacro %}
{% macro spark__union_all_by_name() %}union all{% endmacro %}


{#-
    UNPIVOT the `columns` of `relation` into (`name_column`, `value_column`), the other columns
    kept; NULL values are dropped on both engines.
-#}
{% macro unpivot_columns(relation, columns, name_column, value_column) -%}
    {{ return(adapter.dispatch('unpivot_columns', 'dri')(relation, columns, name_column, value_column)) }}
{%- endmacro %}
{% macro duckdb__unpivot_columns(relation, columns, name_column, value_column) -%}
    unpivot {{ relation }}
    on {{ columns | join(', ') }}
    into name {{ name_column }} value {{ value_column }}
{%- endmacro %}
{% macro spark__unpivot_columns(relation, columns, name_column, value_column) -%}
    select * from {{ relation }}
    unpivot ({{ value_column }} for {{ name_column }} in ({{ columns | join(', ') }}))
{%- endmacro %}


{#-
    The digital-economy sub-class mask (bit = int_digital_core_industries.industry_bit, 86
    sub-classes): one 128-bit HUGEINT on DuckDB. Spark has no integer wider than 64 bits, so
    there it is a struct of two BIGINTs, `lo` (bits 0-62) and `hi` (bits 63-125): OR, bit tests,
    bit counts and equality (group by, join, distinct) work on it as on the HUGEINT, and
    digital_mask_decimal() spells both as the same DECIMAL(38, 0) number for comparisons.
-#}
{% macro digital_mask_bit(bit) -%}
    {{ return(adapter.dispatch('digital_mask_bit', 'dri')(bit)) }}
{%- endmacro %}
{% macro duckdb__digital_mask_bit(bit) -%}
    cast(1 as hugeint) << {{ bit }}
{%- endmacro %}
{% macro spark__digital_mask_bit(bit) -%}
    named_struct(
        'lo', if({{ bit }} < 63, shiftleft(cast(1 as bigint), {{ bit }}), cast(0 as bigint)),
        'hi', if({{ bit }} >= 63, shiftleft(cast(1 as bigint), {{ bit }} - 63), cast(0 as bigint))
    )
{%- endmacro %}

{#- aggregate: OR of the masks (NULL when every mask is NULL) -#}
{% macro digital_mask_or(mask) -%}
    {{ return(adapter.dispatch('digital_mask_or', 'dri')(mask)) }}
{%- endmacro %}
{% macro duckdb__digital_mask_or(mask) -%}
    bit_or({{ mask }})
{%- endmacro %}
{% macro spark__digital_mask_or(mask) -%}
    if(
        count({{ mask }}) > 0,
        named_struct('lo', bit_or({{ mask }}.lo), 'hi', bit_or({{ mask }}.hi)),
        null
    )
{%- endmacro %}

{#- bit `bit` of the mask is set -#}
{% macro digital_mask_has_bit(mask, bit) -%}
    {{ return(adapter.dispatch('digital_mask_has_bit', 'dri')(mask, bit)) }}
{%- endmacro %}
{% macro duckdb__digital_mask_has_bit(mask, bit) -%}
    ({{ mask }} >> {{ bit }}) & 1 = 1
{%- endmacro %}
{% macro spark__digital_mask_has_bit(mask, bit) -%}
    if(
        {{ bit }} < 63,
        shiftright({{ mask }}.lo, {{ bit }}) & 1 = 1,
        shiftright({{ mask }}.hi, {{ bit }} - 63) & 1 = 1
    )
{%- endmacro %}

{#- number of bits set (NULL for a NULL mask) -#}
{% macro digital_mask_bit_count(mask) -%}
    {{ return(adapter.dispatch('digital_mask_bit_count', 'dri')(mask)) }}
{%- endmacro %}
{% macro duckdb__digital_mask_bit_count(mask) -%}
    bit_count({{ mask }})
{%- endmacro %}
{% macro spark__digital_mask_bit_count(mask) -%}
    bit_count({{ mask }}.lo) + bit_count({{ mask }}.hi)
{%- endmacro %}

{#- the mask as one DECIMAL(38, 0) number, equal on both engines (for comparisons) -#}
{% macro digital_mask_decimal(mask) -%}
    {{ return(adapter.dispatch('digital_mask_decimal', 'dri')(mask)) }}
{%- endmacro %}
{% macro duckdb__digital_mask_decimal(mask) -%}
    cast({{ mask }} as decimal(38, 0))
{%- endmacro %}
{% macro spark__digital_mask_decimal(mask) -%}
    cast({{ mask }}.hi as decimal(38, 0)) * cast(9223372036854775808 as decimal(38, 0))
        + cast({{ mask }}.lo as decimal(38, 0))
{%- endmacro %}

{#- a bit of a small (<= 8 bits) mask: DuckDB UTINYINT, Spark INT (no unsigned types) -#}
{% macro small_mask_bit(bit) -%}
    {{ return(adapter.dispatch('small_mask_bit', 'dri')(bit)) }}
{%- endmacro %}
{% macro duckdb__small_mask_bit(bit) -%}
    cast(1 as utinyint) << {{ bit }}
{%- endmacro %}
{% macro spark__small_mask_bit(bit) -%}
    shiftleft(cast(1 as int), {{ bit }})
{%- endmacro %}


{#- Types and lists of the piece dictionary (int_ipc_pieces_classified, int_patents_classified) -#}
{% macro list_type(element) -%}
    {{ return(adapter.dispatch('list_type', 'dri')(element)) }}
{%- endmacro %}
{% macro duckdb__list_type(element) %}{{ return(element ~ '[]') }}{% endmacro %}
{% macro spark__list_type(element) %}{{ return('array<' ~ element ~ '>') }}{% endmacro %}

{% macro empty_list(element) -%}
    {{ return(adapter.dispatch('empty_list', 'dri')(element)) }}
{%- endmacro %}
{% macro duckdb__empty_list(element) %}[]{% endmacro %}
{% macro spark__empty_list(element) %}cast(array() as array<{{ element }}>){% endmacro %}

{#- number of elements (NULL for a NULL list on both engines) -#}
{% macro list_length(list) -%}
    {{ return(adapter.dispatch('list_length', 'dri')(list)) }}
{%- endmacro %}
{% macro duckdb__list_length(list) %}len({{ list }}){% endmacro %}
{% macro spark__list_length(list) %}if({{ list }} is null, null, size({{ list }})){% endmacro %}

{#- aggregate: the values, sorted, as a list -#}
{% macro list_sorted(expression) -%}
    {{ return(adapter.dispatch('list_sorted', 'dri')(expression)) }}
{%- endmacro %}
{% macro duckdb__list_sorted(expression) %}list({{ expression }} order by {{ expression }}){% endmacro %}
{% macro spark__list_sorted(expression) %}array_sort(collect_list({{ expression }})){% endmacro %}

{#- aggregate: how many distinct elements the lists of the group hold together -#}
{% macro count_distinct_in_lists(list) -%}
    {{ return(adapter.dispatch('count_distinct_in_lists', 'dri')(list)) }}
{%- endmacro %}
{% macro duckdb__count_distinct_in_lists(list) -%}
    len(list_distinct(flatten(list({{ list }}))))
{%- endmacro %}
{% macro spark__count_distinct_in_lists(list) -%}
    size(array_distinct(flatten(collect_list({{ list }}))))
{%- endmacro %}

{#- split a text on a literal one-character separator -#}
{% macro split_text(text, separator) -%}
    {{ return(adapter.dispatch('split_text', 'dri')(text, separator)) }}
{%- endmacro %}
{% macro duckdb__split_text(text, separator) %}string_split({{ text }}, {{ separator }}){% endmacro %}
{% macro spark__split_text(text, separator) %}split({{ text }}, {{ separator }}){% endmacro %}

{#- in a SELECT list: one row per element, as `value_name`, with its 1-based position -#}
{% macro unnest_with_position(list, value_name, position_name) -%}
    {{ return(adapter.dispatch('unnest_with_position', 'dri')(list, value_name, position_name)) }}
{%- endmacro %}
{% macro duckdb__unnest_with_position(list, value_name, position_name) -%}
    unnest({{ list }}) as {{ value_name }},
        generate_subscripts({{ list }}, 1) as {{ position_name }}
{%- endmacro %}
{% macro spark__unnest_with_position(list, value_name, position_name) -%}
    inline(transform({{ list }}, (x, i) -> struct(x as {{ value_name }}, i + 1 as {{ position_name }})))
{%- endmacro %}

{#-
    The packed per-piece masks of int_patents_classified: the sub-class mask with the major
    mask above it at bit `shift` (one HUGEINT on DuckDB; on Spark the major mask goes into
    `hi` at bit shift - 63), OR-ed per patent in one aggregate, then taken apart again.
-#}
{% macro digital_mask_pack_major(minor_mask, major_mask, shift) -%}
    {{ return(adapter.dispatch('digital_mask_pack_major', 'dri')(minor_mask, major_mask, shift)) }}
{%- endmacro %}
{% macro duckdb__digital_mask_pack_major(minor_mask, major_mask, shift) -%}
    coalesce({{ minor_mask }}, 0)
            | (cast(coalesce({{ major_mask }}, 0) as hugeint) << {{ shift }})
{%- endmacro %}
{% macro spark__digital_mask_pack_major(minor_mask, major_mask, shift) -%}
    named_struct(
            'lo', coalesce({{ minor_mask }}.lo, cast(0 as bigint)),
            'hi', coalesce({{ minor_mask }}.hi, cast(0 as bigint))
                | shiftleft(cast(coalesce({{ major_mask }}, 0) as bigint), {{ shift - 63 }})
        )
{%- endmacro %}

{% macro digital_mask_unpack_minor(masks, shift) -%}
    {{ return(adapter.dispatch('digital_mask_unpack_minor', 'dri')(masks, shift)) }}
{%- endmacro %}
{% macro duckdb__digital_mask_unpack_minor(masks, shift) -%}
    {{ masks }} & ((cast(1 as hugeint) << {{ shift }}) - 1)
{%- endmacro %}
{% macro spark__digital_mask_unpack_minor(masks, shift) -%}
    named_struct(
            'lo', {{ masks }}.lo,
            'hi', {{ masks }}.hi & (shiftleft(cast(1 as bigint), {{ shift - 63 }}) - 1)
        )
{%- endmacro %}

{% macro digital_mask_unpack_major(masks, shift) -%}
    {{ return(adapter.dispatch('digital_mask_unpack_major', 'dri')(masks, shift)) }}
{%- endmacro %}
{% macro duckdb__digital_mask_unpack_major(masks, shift) -%}
    cast({{ masks }} >> {{ shift }} as utinyint)
{%- endmacro %}
{% macro spark__digital_mask_unpack_major(masks, shift) -%}
    cast(shiftright({{ masks }}.hi, {{ shift - 63 }}) as int)
{%- endmacro %}
