# The allow-path benchmark's policy for Open Policy Agent: the same decisions
# as allow-policy.yaml (deny > review > allow, default review).
package countersign

import rego.v1

deny contains "dropping tables is not allowed" if {
	input.kind == "sql"
	contains(lower(input.payload.sql), "drop ")
}

review contains "prod-review" if input.environment == "production"

allow contains "staging-sql" if {
	input.kind == "sql"
	input.environment == "staging"
}

default decision := {"effect": "review", "rules": []}

decision := {"effect": "deny", "rules": deny} if count(deny) > 0

decision := {"effect": "review", "rules": review} if {
	count(deny) == 0
	count(review) > 0
}

decision := {"effect": "allow", "rules": allow} if {
	count(deny) == 0
	count(review) == 0
	count(allow) > 0
}
