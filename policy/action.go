package policy

import (
	"encoding/json"
	"reflect"

	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
	"cel.dev/cel-go/common/types/traits"
)

// actionVal is the CEL value of the action variable: a map from field name
// to value. CEL reads a field through FindStringKey, which hands out the
// field without building the map, and decodes the JSON payload only when a
// rule first reads it. Any other use (iterating, comparing, size) builds the
// whole map once and defers to it. It belongs to one evaluation and is not
// safe for concurrent use.
type actionVal struct {
	in *Input

	strs        [7]ref.Val // the string fields as CEL strings, once read
	payloadRead bool
	payload     map[string]any // nil if the payload is not a JSON object

	whole traits.Mapper
}

var (
	_ traits.Mapper = (*actionVal)(nil)
	_ interface {
		FindStringKey(string) (any, bool)
	} = (*actionVal)(nil)
)

// FindStringKey returns the named field of the action. The interpreter calls
// it for action.NAME. A payload that is not a JSON object is absent, so that
// rules reading it fail (closed) rather than see an empty object.
func (a *actionVal) FindStringKey(key string) (any, bool) {
	act := &a.in.Action
	switch key {
	case "kind":
		return a.str(0, string(act.Kind)), true
	case "agent":
		return a.str(1, act.Agent), true
	case "agent_owner":
		return a.str(2, a.in.AgentOwner), true
	case "on_behalf_of":
		return a.str(3, act.OnBehalfOf), true
	case "environment":
		return a.str(4, act.Environment), true
	case "resource":
		return a.str(5, act.Resource), true
	case "summary":
		return a.str(6, act.Summary), true
	case "labels":
		if act.Labels == nil {
			return emptyLabels, true
		}
		return act.Labels, true
	case "payload":
		if p := a.decodedPayload(); p != nil {
			return p, true
		}
	}
	return nil, false
}

// str returns string field i as a CEL string, converting it on first use so
// that rules reading the same field share one value.
func (a *actionVal) str(i int, s string) ref.Val {
	if a.strs[i] == nil {
		a.strs[i] = str(s)
	}
	return a.strs[i]
}

func (a *actionVal) decodedPayload() map[string]any {
	if !a.payloadRead {
		a.payloadRead = true
		if a.in.Payload != nil {
			a.payload = a.in.Payload
			return a.payload
		}
		if json.Unmarshal(a.in.Action.Payload, &a.payload) != nil {
			a.payload = nil
		}
	}
	return a.payload
}

// all returns the action as a whole CEL map, building it on first use.
func (a *actionVal) all() traits.Mapper {
	if a.whole == nil {
		m := make(map[string]any, len(actionFields))
		for _, f := range actionFields {
			if v, ok := a.FindStringKey(f); ok {
				m[f] = v
			}
		}
		a.whole = types.DefaultTypeAdapter.NativeToValue(m).(traits.Mapper)
	}
	return a.whole
}

// ConvertToNative implements ref.Val.
func (a *actionVal) ConvertToNative(t reflect.Type) (any, error) { return a.all().ConvertToNative(t) }

// ConvertToType implements ref.Val.
func (a *actionVal) ConvertToType(t ref.Type) ref.Val { return a.all().ConvertToType(t) }

// Equal implements ref.Val.
func (a *actionVal) Equal(other ref.Val) ref.Val { return a.all().Equal(other) }

// Type implements ref.Val.
func (a *actionVal) Type() ref.Type { return types.MapType }

// Value implements ref.Val.
func (a *actionVal) Value() any { return a.all().Value() }

// Contains implements traits.Container.
func (a *actionVal) Contains(key ref.Val) ref.Val { return a.all().Contains(key) }

// Get implements traits.Indexer.
func (a *actionVal) Get(key ref.Val) ref.Val { return a.all().Get(key) }

// Iterator implements traits.Iterable.
func (a *actionVal) Iterator() traits.Iterator { return a.all().Iterator() }

// Size implements traits.Sizer.
func (a *actionVal) Size() ref.Val { return a.all().Size() }

// Find implements traits.Mapper.
func (a *actionVal) Find(key ref.Val) (ref.Val, bool) { return a.all().Find(key) }
