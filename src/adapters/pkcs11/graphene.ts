/**
 * The values of graphene-pk11, loaded with `require`. The package is CommonJS, about fifty files
 * that re-export each other; imported from an ES module, Node's loader first lexes every one of
 * them for its named exports, which about doubles the CPU their loading takes (some 40 ms more at
 * each cold start of the front, `npm run cold-start`). Types still come from 'graphene-pk11'
 * itself (`import type`); an ES import of its values is refused by the lint configuration.
 */
import { createRequire } from 'node:module';
import type * as Graphene from 'graphene-pk11';

const graphene = createRequire(import.meta.url)('graphene-pk11') as typeof Graphene;

export const { EcKdf, KeyGenMechanism, KeyType, MechanismEnum, MechParams, Module, ObjectClass, RsaMgf, SessionFlag, Template, UserType } = graphene;

// Each is a class or an enum, so its name is a type too.
export type EcKdf = Graphene.EcKdf;
export type KeyGenMechanism = Graphene.KeyGenMechanism;
export type KeyType = Graphene.KeyType;
export type MechanismEnum = Graphene.MechanismEnum;
export type MechParams = Graphene.MechParams;
export type Module = Graphene.Module;
export type ObjectClass = Graphene.ObjectClass;
export type RsaMgf = Graphene.RsaMgf;
export type SessionFlag = Graphene.SessionFlag;
export type Template = Graphene.Template;
export type UserType = Graphene.UserType;
