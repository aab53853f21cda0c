{#-
    Use a node's custom schema name as-is (`staging`, not `main_staging`): the warehouse's
    schemas are part of the analysts' interface (warehouse/README), so they must not depend on
    the target's default schema. Nodes without a custom schema fall back to the target schema.
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
